"""Working days and reply deadlines (Qual-e-Pref).

Working days are Monday to Friday less the public holidays of the site's département:
Alsace-Moselle (57, 67, 68) adds Good Friday and 26 December, and each overseas
département has its own days (abolition of slavery...). Day 1 is the first working day
*after* the day of receipt; a reply on or before the deadline is in time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .departements import HOME_TIMEZONE, holiday_subdivision


def local_today(timezone: str | None = None) -> date:
    """Return today's date in ``timezone`` (an IANA name; metropolitan France when none),
    never the server's own day, which may be UTC."""
    return datetime.now(ZoneInfo(timezone or HOME_TIMEZONE)).date()


# Working days allowed for a reply, per channel of receipt (DESIGN.md); configurable.
DEFAULT_REPLY_DAYS = {
    "courriel": 5,
    "web": 5,
    "qr": 5,
    "kiosk": 5,
    "telephone": 5,
    "services_publics_plus": 5,
    "courrier": 10,
    "urne": 10,
}


@lru_cache(maxsize=512)
def _holidays(departement: str, year: int) -> frozenset[date]:
    return frozenset(holidays.France(subdiv=holiday_subdivision(departement), years=year))


def is_working_day(day: date, departement: str) -> bool:
    """Return True when ``day`` is a working day in ``departement``."""
    return day.weekday() < 5 and day not in _holidays(departement, day.year)


def add_working_days(start: date, days: int, departement: str) -> date:
    """Return the ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must be zero or more")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, departement):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, departement: str) -> int:
    """Return the working days after ``start`` up to and including ``end`` (0 if end<=start).

    This is the reply delay of DESIGN.md: 0 when answered the day it arrived.
    """
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, departement):
            count += 1
    return count


def reply_deadline(
    received_on: date, channel: str, departement: str, reply_days: dict[str, int] | None = None
) -> date:
    """Return the last day on which a reply to something received on ``received_on`` by
    ``channel`` is in time."""
    table = reply_days or DEFAULT_REPLY_DAYS
    if channel not in table:
        raise ValueError(f"no reply deadline for channel {channel!r}")
    return add_working_days(received_on, table[channel], departement)
