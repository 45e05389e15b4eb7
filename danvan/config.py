"""Settings from the environment (and CLI flags), and the store they select.

| variable          | default                         | meaning                               |
|-------------------|---------------------------------|---------------------------------------|
| DANVAN_STORE      | embedded                        | embedded or neo4j                     |
| DANVAN_DATA_DIR   | the per-user data folder        | where the embedded store keeps its DB |
| NEO4J_URI         | bolt://127.0.0.1:7687           | Neo4j address                         |
| NEO4J_USER        | neo4j                           | Neo4j user                            |
| NEO4J_PASSWORD    | (empty)                         | Neo4j password                        |
| NEO4J_DATABASE    | (server default)                | Neo4j database name                   |
| DANVAN_API_TOKEN  | (unset: writes disabled)        | bearer token for write endpoints      |

>>> Settings.from_env({"DANVAN_STORE": "neo4j"}).store
'neo4j'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from platformdirs import user_data_dir

from danvan.errors import ConfigError
from danvan.graph.store import Store

__all__ = ["Settings", "open_store"]

STORES = ("embedded", "neo4j")


@dataclass(frozen=True)
class Settings:
    """Everything that selects and reaches a store."""

    store: str = "embedded"
    data_dir: Path = Path(user_data_dir("danvan", appauthor=False))
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str | None = None
    api_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the variables in the table above."""
        env = os.environ if env is None else env
        default = cls()
        settings = cls(
            store=env.get("DANVAN_STORE", default.store).strip().lower(),
            data_dir=Path(env.get("DANVAN_DATA_DIR") or default.data_dir),
            neo4j_uri=env.get("NEO4J_URI", default.neo4j_uri),
            neo4j_user=env.get("NEO4J_USER", default.neo4j_user),
            neo4j_password=env.get("NEO4J_PASSWORD", default.neo4j_password),
            neo4j_database=env.get("NEO4J_DATABASE") or None,
            api_token=env.get("DANVAN_API_TOKEN") or None,
        )
        settings.check()
        return settings

    def with_(self, **changes: object) -> Settings:
        """A copy with some values replaced (None values are ignored)."""
        updated = replace(self, **{k: v for k, v in changes.items() if v is not None})
        updated.check()
        return updated

    def check(self) -> None:
        """Raise ConfigError for values that cannot work."""
        if self.store not in STORES:
            raise ConfigError(f"DANVAN_STORE / --store must be one of {', '.join(STORES)}, "
                              f"not {self.store!r}")


def open_store(settings: Settings) -> Store:
    """The store the settings select: embedded by default, Neo4j when asked."""
    if settings.store == "neo4j":
        from danvan.graph.neo4j_store import Neo4jStore

        return Neo4jStore(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password,
                          settings.neo4j_database)
    from danvan.graph.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir)
