"""Suggestion and réclamation form of the public pages (the réclamations issue fills this in)."""

from . import bp  # noqa: F401
