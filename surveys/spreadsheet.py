"""Cells that a spreadsheet would run as a formula are neutralised before they leave Avis."""

from __future__ import annotations

# A leading =, +, -, @, tab or carriage return makes Excel or LibreOffice read a formula
# (OWASP "CSV injection").
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return ``value`` with a leading apostrophe when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from one of our own exports."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(_TRIGGERS):
        return value[1:]
    return value
