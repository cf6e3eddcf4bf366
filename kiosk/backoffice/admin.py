"""Back office: admin (filled in by its issue)."""

from . import bp  # noqa: F401
