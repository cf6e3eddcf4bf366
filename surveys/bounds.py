"""The bounds of what Avis reads from outside: whole numbers the database can hold and days
a report can count from. A value past them is invalid input, refused like a malformed one,
instead of failing deep in the database driver or in date arithmetic.

A refusal names its field and says what is wrong by its code: ``integer`` (not a whole
number), ``range`` (a whole number out of its limits), ``date`` (not ``YYYY-MM-DD``) or
``day_range`` (a day out of FIRST_DAY..LAST_DAY). The back office reads the code; its
message (``surveys.i18n``) is for the command line and the API."""

from __future__ import annotations

from datetime import date

from . import DomainError
from .i18n import _l

# PostgreSQL's ``integer``, the type of every id: SQLite holds more, but one limit for both.
MAX_ID = 2**31 - 1
# A report compares its period with the one just before, as long again, and counts up to
# the day after its end: within these days both stay far inside Python's calendar
# (years 1 to 9999), whatever the length of the period.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def parse_int(value: object, field: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """Return ``value`` (digits, an optional sign) as an int within [minimum, maximum].

    Raises DomainError naming ``field``: ``integer`` for anything but a whole number,
    ``range`` for one out of the limits."""
    text = value.strip() if isinstance(value, str) else None
    # int() would also take "1_000", "٣" or a thousand digits: only plain ASCII digits here.
    digits = text[1:] if text and text[0] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise DomainError(_l("{field} doit être un nombre entier.", field=field), field, "integer")
    number = int(text)
    if not minimum <= number <= maximum:
        message = _l(
            "{field} doit être compris entre {minimum} et {maximum}.",
            field=field,
            minimum=minimum,
            maximum=maximum,
        )
        raise DomainError(message, field, "range")
    return number


def check_day(day: date, field: str) -> date:
    """Return ``day`` if it lies between FIRST_DAY and LAST_DAY; raise DomainError
    ``day_range`` naming ``field`` otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        message = _l(
            "{field} doit être une date entre {first} et {last}.",
            field=field,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
        raise DomainError(message, field, "day_range")
    return day


def parse_day(value: object, field: str) -> date:
    """Return ``value`` (``YYYY-MM-DD``) as a date between FIRST_DAY and LAST_DAY.

    Raises DomainError naming ``field``: ``date`` for anything but ``YYYY-MM-DD``,
    ``day_range`` for a day out of the bounds."""
    try:
        if not isinstance(value, str):
            raise ValueError
        day = date.fromisoformat(value.strip())
    except ValueError:
        message = _l("{field} doit être une date AAAA-MM-JJ.", field=field)
        raise DomainError(message, field, "date") from None
    return check_day(day, field)
