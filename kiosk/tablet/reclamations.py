"""Suggestion and réclamation form of the tablet pages (the réclamations issue fills this in)."""

from . import bp  # noqa: F401
