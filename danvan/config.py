"""Settings from the environment (and CLI flags), and the store they select.

| variable          | default                         | meaning                               |
|-------------------|---------------------------------|---------------------------------------|
| DANVAN_STORE      | embedded                        | embedded or neo4j                     |
| DANVAN_DATA_DIR   | the per-user data folder        | where the embedded store keeps its DB |
| NEO4J_URI         | bolt://127.0.0.1:7687           | Neo4j address                         |
| NEO4J_USER        | neo4j                           | Neo4j user                            |
| NEO4J_PASSWORD    | (empty)                         | Neo4j password                        |
| NEO4J_DATABASE    | (server default)                | Neo4j database name                   |
| DANVAN_API_TOKEN  | (unset)                         | bootstrap admin token for the API     |
| DANVAN_OPEN_READING | 1                             | 0: reading also needs signing in      |
| DANVAN_SESSION_HOURS | 8                            | a sign-in lasts this long             |
| DANVAN_SECURE_COOKIES | 0                           | 1: cookies only over HTTPS (always so |
|                   |                                 | when the request itself is HTTPS)     |

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
    open_reading: bool = True
    session_hours: float = 8.0
    secure_cookies: bool = False

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
            open_reading=_flag(env, "DANVAN_OPEN_READING", default.open_reading),
            session_hours=_hours(env.get("DANVAN_SESSION_HOURS"), default.session_hours),
            secure_cookies=_flag(env, "DANVAN_SECURE_COOKIES", default.secure_cookies),
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


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise ConfigError(f"{name} must be 1 or 0, not {value!r}")
    return value in ("1", "true", "yes")


def _hours(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        hours = float(value)
    except ValueError:
        hours = -1
    if not 0 < hours <= 24 * 90:
        raise ConfigError(f"DANVAN_SESSION_HOURS must be a number of hours (0-2160), not {value!r}")
    return hours


def open_store(settings: Settings) -> Store:
    """The store the settings select: embedded by default, Neo4j when asked."""
    if settings.store == "neo4j":
        from danvan.graph.neo4j_store import Neo4jStore

        return Neo4jStore(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password,
                          settings.neo4j_database)
    from danvan.graph.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir)
