"""YAML reading that remembers line numbers, so errors can name file and line.

>>> data = load_yaml_text("a: 1\\nitems:\\n  - {x: 2}\\n", "f.yaml")
>>> data["items"][0]["__line__"]
3
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from danvan.errors import LoadError
from danvan.text import nfc

__all__ = ["LINE", "load_yaml", "load_yaml_text"]

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that stores each mapping's 1-based line under ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def _nfc_all(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_all(v) for k, v in value.items()}
    return value


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML text; syntax errors become LoadError naming ``name`` and the line."""
    try:
        return _nfc_all(yaml.load(text, Loader=_LineLoader))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise LoadError(name, line, f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise LoadError(name, None, f"invalid YAML: {exc}") from None


def load_yaml(path: Path) -> Any:
    """Read and parse a UTF-8 YAML file with line numbers."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(path), None, f"cannot read: {exc}") from None
    return load_yaml_text(text, str(path))
