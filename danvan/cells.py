"""Spreadsheet cells that cannot run: formulas neutralised on the way out, restored on the way in.

A text cell that starts with ``= + - @`` (or a tab or carriage return) is read
by Excel and LibreOffice as a formula — ``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``
(DDE), ``@SUM(…)`` — when the file is opened. Every export (the CLI's .xlsx and
.csv, the API's CSV, the pages' downloads) writes it with a leading ``'`` so it
is shown as text; the import takes that ``'`` off again, so an exported sheet
imported back gives the same names (OWASP's "CSV injection" advice).

>>> neutralise('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
>>> neutralise("Hội LHPN"), safe_cell(12), restore(neutralise("@SUM(A1)"))
('Hội LHPN', 12, '@SUM(A1)')
"""

from __future__ import annotations

from typing import Any

__all__ = ["DANGEROUS", "neutralise", "restore", "safe_cell"]

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix ``'`` when a spreadsheet would read the text as a formula."""
    return "'" + text if text.startswith(DANGEROUS) else text


def safe_cell(value: Any) -> Any:
    """A cell value to write: text neutralised, numbers and dates unchanged."""
    return neutralise(value) if isinstance(value, str) else value


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (an import reads back what an export wrote)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(DANGEROUS) else text
