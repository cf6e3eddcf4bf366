"""Whole numbers and days read from a query string or a form, parsed by one set of rules
(``surveys.bounds``): missing gives the default, malformed or out of range is the client's
error (400), never a value that fails later in the database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import abort, request

from surveys import DomainError
from surveys.bounds import MAX_ID, parse_day, parse_int

# The last page of a paged list anyone can reach: 50 rows a page, far more rows than Avis
# keeps, and an offset that fits every database.
MAX_PAGE = 100_000


def int_arg(
    name: str,
    default: int | None = None,
    *,
    minimum: int = 1,
    maximum: int = MAX_ID,
    values: Mapping | None = None,
) -> int | None:
    """Return the whole number ``name`` of the query string (or of ``values``)."""
    raw = (request.args if values is None else values).get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse_int(raw, name, minimum=minimum, maximum=maximum)
    except DomainError:
        abort(400)


def page_arg(name: str = "page") -> int:
    """Return the page number of a paged list (1 when missing)."""
    return int_arg(name, 1, maximum=MAX_PAGE)


def year_arg(default: int, name: str = "year") -> int:
    """Return the year ``name`` of the query string or the form, from 2000 to 2100 (the
    years of a plan or of a register), or ``default`` when it is missing or no such year:
    a page of one year opens on the current one rather than refusing."""
    try:
        return parse_int(request.values.get(name), name, minimum=2000, maximum=2100)
    except DomainError:
        return default


def day_arg(name: str, values: Mapping | None = None) -> date | None:
    """Return the day ``name`` (``YYYY-MM-DD``) of the query string (or of ``values``)."""
    raw = (request.args if values is None else values).get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_day(raw, name)
    except DomainError:
        abort(400)
