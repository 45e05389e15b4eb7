"""The one source-reference format: ``"<document id>#<start>-<end>"``.

Every fact carries ``sources``: where in which stored document it was read,
as character offsets into the document's NFC text (schema.yaml, ``common``).
Loaders write references with :func:`source_ref`; pages, profiles and the
graph view read them with :func:`parse_source_ref`.

>>> source_ref("source-a", 12, 40)
'source-a#12-40'
>>> parse_source_ref("source-a#12-40")
SourceRef(document='source-a', start=12, end=40)
>>> parse_source_ref("kb-kon-ray")
SourceRef(document='kb-kon-ray', start=None, end=None)
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["SourceRef", "parse_source_ref", "source_ref"]


class SourceRef(NamedTuple):
    """A parsed reference: the document's id and the span (None when not given)."""

    document: str
    start: int | None
    end: int | None

    def to_dict(self) -> dict[str, Any]:
        """``{"document", "start", "end"}`` (the API's form)."""
        return self._asdict()


def source_ref(document: str, start: int, end: int) -> str:
    """The reference to characters ``start``–``end`` of ``document``."""
    return f"{document}#{start}-{end}"


def parse_source_ref(text: str) -> SourceRef:
    """Split a reference; a missing or malformed span gives None for its ends."""
    document, _, span = text.partition("#")
    start, _, end = span.partition("-")
    return SourceRef(document, int(start) if start.isdigit() else None,
                     int(end) if end.isdigit() else None)
