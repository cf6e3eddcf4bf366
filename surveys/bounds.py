"""The bounds of what Avis reads from outside: whole numbers the database can hold and days
a report can count from. A value past them is invalid input, refused like a malformed one,
instead of failing deep in the database driver or in date arithmetic."""

from __future__ import annotations

from datetime import date

from . import DomainError

# PostgreSQL's ``integer``, the type of every id: SQLite holds more, but one limit for both.
MAX_ID = 2**31 - 1
# A report compares its period with the one just before, as long again, and counts up to
# the day after its end: within these days both stay far inside Python's calendar
# (years 1 to 9999), whatever the length of the period.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def parse_int(value: object, field: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """Return ``value`` (digits, an optional sign) as an int within [minimum, maximum].

    Raises DomainError ``invalid`` naming ``field`` for anything else."""
    text = value.strip() if isinstance(value, str) else None
    # int() would also take "1_000", "٣" or a thousand digits: only plain ASCII digits here.
    digits = text[1:] if text and text[0] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise DomainError(f"{field} doit être un nombre entier.", field, "invalid")
    number = int(text)
    if not minimum <= number <= maximum:
        raise DomainError(
            f"{field} doit être compris entre {minimum} et {maximum}.", field, "invalid"
        )
    return number


def check_day(day: date, field: str) -> date:
    """Return ``day`` if it lies between FIRST_DAY and LAST_DAY; raise DomainError otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(
            f"{field} doit être une date entre {FIRST_DAY.isoformat()} et {LAST_DAY.isoformat()}.",
            field,
            "invalid",
        )
    return day


def parse_day(value: object, field: str) -> date:
    """Return ``value`` (``YYYY-MM-DD``) as a date between FIRST_DAY and LAST_DAY.

    Raises DomainError ``invalid`` naming ``field`` for anything else."""
    try:
        if not isinstance(value, str):
            raise ValueError
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(f"{field} doit être une date AAAA-MM-JJ.", field, "invalid") from None
    return check_day(day, field)
