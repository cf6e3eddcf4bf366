"""Qual-e-Pref indicators of suggestions, réclamations and remerciements.

Definitions (DESIGN.md):

- *received*: every message received in the period (all kinds), and its share per category;
- *a reply is expected* for suggestions and réclamations that left a way to answer
  (``reply_wanted``) or that were imported as expecting one (``reply_expected``);
  never for remerciements;
- *in-time rate*: those expecting a reply and answered on or before their deadline, divided
  by those expecting a reply that are answered or whose deadline has passed on ``today``;
- *reply delay*: working days after the day of receipt up to and including the reply day,
  in the calendar of the site's département; the mean is over the answered ones.

Under a service filter every figure counts that service's messages only (a message with no
service is then left out); a site's row is then the selected services of that site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.calendar import reply_deadline, working_days_between
from surveys.models import Reclamation, ReclamationCategory, Service, Site
from surveys.users import Scope

from .stats import enough, two_proportion_test

IN_TIME_TARGET = 0.75
DELAY_TARGET = 5.0


@dataclass(frozen=True)
class _Group:
    """Réclamations alike in everything the indicators read, and how many they are."""

    site_id: int
    departement: str
    service_id: int | None
    kind: str
    channel: str
    category: str
    status: str
    received_on: date
    due_on: date | None
    answered_on: date | None
    expects_reply: bool
    n: int


@lru_cache(maxsize=65536)
def _delay(received_on: date, answered_on: date, departement: str) -> int:
    return working_days_between(received_on, answered_on, departement)


@lru_cache(maxsize=65536)
def _deadline(received_on: date, channel: str, departement: str) -> date:
    return reply_deadline(received_on, channel, departement)


def _in_scope(scope: Scope | None, site_id: int, service_id: int | None) -> bool:
    return scope is None or scope.covers(site_id, service_id)


def _sites(session: Session, site_codes: list[str] | None) -> list[tuple[int, str]]:
    query = select(Site.id, Site.code).order_by(Site.code)
    if site_codes:
        query = query.where(Site.code.in_(site_codes))
    return [(row.id, row.code) for row in session.execute(query)]


def _groups(
    session: Session,
    date_from: date,
    date_to: date,
    site_codes: list[str] | None,
    scope: Scope | None,
    service_ids: set[int] | None = None,
) -> list[_Group]:
    """Group in SQL what the indicators cannot tell apart: a year of a préfecture's
    réclamations comes back as a few hundred rows, however many there are."""
    columns = (
        Reclamation.site_id,
        Site.departement,
        Reclamation.service_id,
        Reclamation.kind,
        Reclamation.channel,
        ReclamationCategory.code,
        Reclamation.status,
        Reclamation.received_on,
        Reclamation.due_on,
        Reclamation.answered_on,
        Reclamation.reply_wanted,
        Reclamation.reply_expected,
    )
    query = (
        select(*columns, func.count().label("n"))
        .join(Site, Site.id == Reclamation.site_id)
        .join(ReclamationCategory, ReclamationCategory.id == Reclamation.category_id)
        .where(Reclamation.received_on >= date_from, Reclamation.received_on <= date_to)
        .group_by(*columns)
    )
    if site_codes:
        query = query.where(Site.code.in_(site_codes))
    groups = []
    # Each row: the _Group fields up to answered_on, then wanted, expected and the count.
    for *fields, wanted, expected, n in session.execute(query):
        site_id, _departement, service_id, kind = fields[:4]
        if scope is not None and not _in_scope(scope, site_id, service_id):
            continue
        if service_ids is not None and service_id not in service_ids:
            continue
        expects = kind != "remerciement" and bool(wanted or expected)
        groups.append(_Group(*fields, expects, n))
    return groups


def _category_order(session: Session) -> dict[str, int]:
    result = session.execute(
        select(ReclamationCategory.code).order_by(
            ReclamationCategory.position, ReclamationCategory.code
        )
    )
    return {code: index for index, code in enumerate(result.scalars())}


_COUNTS = (
    "received",
    "answered",
    "answered_in_time",
    "counted",
    "open",
    "overdue",
    "expecting",
    "delay_sum",
)


def _tally(groups: Iterable[_Group], today: date) -> dict:
    """Return the raw counts of ``groups`` (they add up from site to total)."""
    tally = dict.fromkeys(_COUNTS, 0)
    tally["categories"] = {}
    tally["kinds"] = {}
    for g in groups:
        n = g.n
        tally["received"] += n
        tally["categories"][g.category] = tally["categories"].get(g.category, 0) + n
        tally["kinds"][g.kind] = tally["kinds"].get(g.kind, 0) + n
        if g.status in ("new", "assigned"):
            tally["open"] += n
        if g.answered_on is not None:
            tally["answered"] += n
            tally["delay_sum"] += n * _delay(g.received_on, g.answered_on, g.departement)
        if not g.expects_reply:
            continue
        tally["expecting"] += n
        due = g.due_on or _deadline(g.received_on, g.channel, g.departement)
        if g.answered_on is not None:
            tally["counted"] += n
            if g.answered_on <= due:
                tally["answered_in_time"] += n
        elif due < today:
            tally["counted"] += n
            if g.status != "closed":
                tally["overdue"] += n
    return tally


def _add(tallies: list[dict]) -> dict:
    total = dict.fromkeys(_COUNTS, 0)
    total["categories"], total["kinds"] = {}, {}
    for tally in tallies:
        for key in _COUNTS:
            total[key] += tally[key]
        for key in ("categories", "kinds"):
            for code, n in tally[key].items():
                total[key][code] = total[key].get(code, 0) + n
    return total


def _summarise(tally: dict, order: dict[str, int]) -> dict:
    received, counted, answered = tally["received"], tally["counted"], tally["answered"]
    categories = tally["categories"]
    ordered = sorted(categories, key=lambda code: (order.get(code, len(order)), code))
    return {
        "received": received,
        "answered_in_time": tally["answered_in_time"],
        "in_time_rate": round(tally["answered_in_time"] / counted, 4) if counted else None,
        "mean_delay_working_days": round(tally["delay_sum"] / answered, 2) if answered else None,
        "by_category": {code: round(categories[code] / received, 4) for code in ordered},
        "_by_category_count": {code: categories[code] for code in ordered},
        "_by_kind": tally["kinds"],
        "_answered": answered,
        "_expecting_reply": tally["expecting"],
        "_counted_for_rate": counted,
        "_open": tally["open"],
        "_overdue": tally["overdue"],
    }


def _service_codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Service.id, Service.code)).all())


def _per_site(
    session: Session,
    date_from: date,
    date_to: date,
    site_codes: list[str] | None,
    today: date,
    scope: Scope | None,
    service_codes: list[str] | None = None,
    services: bool = False,
) -> list[tuple[str | None, str | None, dict]]:
    """Return (site code, service code, summary): per site, followed by its services that
    received anything when ``services``, then (None, None) for every site together."""
    codes = _service_codes(session)
    wanted = None
    if service_codes:
        wanted = {sid for sid, code in codes.items() if code in set(service_codes)}
    groups = _groups(session, date_from, date_to, site_codes, scope, wanted)
    order = _category_order(session)
    by_site: dict[int, list[_Group]] = {}
    for group in groups:
        by_site.setdefault(group.site_id, []).append(group)
    result = []
    tallies = []
    for site_id, code in _sites(session, site_codes):
        if scope is not None and site_id not in by_site and not scope.touches(site_id):
            continue
        site_groups = by_site.get(site_id, [])
        tally = _tally(site_groups, today)
        tallies.append(tally)
        result.append((code, None, _summarise(tally, order)))
        if not services:
            continue
        by_service: dict[str, list[_Group]] = {}
        for group in site_groups:
            if group.service_id is not None:
                by_service.setdefault(codes[group.service_id], []).append(group)
        for service_code in sorted(by_service):
            summary = _summarise(_tally(by_service[service_code], today), order)
            result.append((code, service_code, summary))
    result.append((None, None, _summarise(_add(tallies), order)))
    return result


def reclamation_indicators(
    session: Session,
    date_from: date,
    date_to: date,
    site_codes: list[str] | None,
    today: date,
    *,
    service_codes: list[str] | None = None,
    services: bool = False,
) -> list[dict]:
    """Return the ``reclamations`` rows of the report JSON (DESIGN.md) for messages
    received from ``date_from`` to ``date_to`` included: one row per site (by code, every
    site when ``site_codes`` is None) with ``"service": None``, followed when ``services``
    by one row per service of that site that received any, then one with ``"site": None``
    for all of them together. ``service_codes`` keeps only those services' messages.
    Each row: site, service, received, answered_in_time, in_time_rate (fraction or None),
    mean_delay_working_days (or None), by_category (code -> share of received)."""
    rows = []
    for code, service, summary in _per_site(
        session, date_from, date_to, site_codes, today, None, service_codes, services
    ):
        rows.append(
            {
                "site": code,
                "service": service,
                "received": summary["received"],
                "answered_in_time": summary["answered_in_time"],
                "in_time_rate": summary["in_time_rate"],
                "mean_delay_working_days": summary["mean_delay_working_days"],
                "by_category": summary["by_category"],
            }
        )
    return rows


def reclamation_indicator_details(
    session: Session,
    date_from: date,
    date_to: date,
    site_codes: list[str] | None,
    today: date,
    *,
    scope: Scope | None = None,
    service_codes: list[str] | None = None,
    services: bool = False,
    in_time_target: float = IN_TIME_TARGET,
    delay_target: float = DELAY_TARGET,
) -> list[dict]:
    """Return the same rows as :func:`reclamation_indicators` with more keys, for the back
    office and the detailed report: ``by_kind`` and ``by_category_count`` (counts),
    ``answered``, ``expecting_reply``, ``counted_for_rate`` (the in-time rate's
    denominator), ``open`` (new or assigned), ``overdue`` (expecting a reply, unanswered,
    deadline passed on ``today``), the targets and whether each is met (None without data).
    ``scope`` (``surveys.users.Scope``) limits the rows to what a
    user may see."""
    rows = []
    for code, service, summary in _per_site(
        session, date_from, date_to, site_codes, today, scope, service_codes, services
    ):
        rate = summary["in_time_rate"]
        delay = summary["mean_delay_working_days"]
        rows.append(
            {
                "site": code,
                "service": service,
                "received": summary["received"],
                "answered_in_time": summary["answered_in_time"],
                "in_time_rate": rate,
                "mean_delay_working_days": delay,
                "by_category": summary["by_category"],
                "by_category_count": summary["_by_category_count"],
                "by_kind": {
                    kind: summary["_by_kind"].get(kind, 0)
                    for kind in ("suggestion", "reclamation", "remerciement")
                },
                "answered": summary["_answered"],
                "expecting_reply": summary["_expecting_reply"],
                "counted_for_rate": summary["_counted_for_rate"],
                "open": summary["_open"],
                "overdue": summary["_overdue"],
                "in_time_target": in_time_target,
                "meets_in_time_target": None if rate is None else rate >= in_time_target,
                "delay_target": delay_target,
                "meets_delay_target": None if delay is None else delay <= delay_target,
            }
        )
    return rows


def compare_reclamations(current: list[dict], previous: list[dict]) -> list[dict]:
    """Return, for each row of ``current`` (detail rows), the same site × service one period
    earlier: previous received, answered in time, counted for the rate, in-time rate and
    mean delay (zeros and None when it received nothing), the in-time rate's difference in
    points with the two-proportion test's p-value and whether it is beyond chance
    (p < 0.05; ``shown`` False and the difference None when either side counts fewer than
    30), and the mean delay's difference in working days."""
    before = {(r["site"], r["service"]): r for r in previous}
    result = []
    for row in current:
        old = before.get((row["site"], row["service"]))
        entry = {
            "site": row["site"],
            "service": row["service"],
            "previous_received": old["received"] if old else 0,
            "previous_answered_in_time": old["answered_in_time"] if old else 0,
            "previous_counted_for_rate": old["counted_for_rate"] if old else 0,
            "previous_in_time_rate": old["in_time_rate"] if old else None,
            "previous_mean_delay": old["mean_delay_working_days"] if old else None,
            "difference_points": None,
            "p_value": None,
            "significant": None,
            "shown": False,
            "delay_difference": None,
        }
        n, n_old = row["counted_for_rate"], entry["previous_counted_for_rate"]
        if old and enough(n) and enough(n_old):
            diff, _, p_value = two_proportion_test(
                row["answered_in_time"], n, old["answered_in_time"], n_old
            )
            entry.update(
                difference_points=round(diff * 100, 1),
                p_value=p_value,
                significant=p_value < 0.05,
                shown=True,
            )
        delay, delay_old = row["mean_delay_working_days"], entry["previous_mean_delay"]
        if delay is not None and delay_old is not None:
            entry["delay_difference"] = round(delay - delay_old, 2)
        result.append(entry)
    return result
