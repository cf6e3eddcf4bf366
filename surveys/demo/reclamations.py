"""Réclamations of the demo: the seed's 2022 volumes, category shares, in-time rates and
mean reply delays per site, the 2021 figures the minutes compare them with, and a recent
stream with some still open and a few overdue."""

# ruff: noqa: S311  -- demo data drawn from a seeded generator on purpose, not secrets

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calendar import (
    DEFAULT_REPLY_DAYS,
    add_working_days,
    is_working_day,
    reply_deadline,
)
from ..models import (
    Reclamation,
    ReclamationCategory,
    ReclamationEvent,
    ReferenceCounter,
    Site,
)
from ..reclamations import next_reference
from .setting import PARIS, weighted
from .text import (
    FIRST_NAMES,
    LAST_NAMES,
    RECLAMATION_TEXTS,
    REPLY_TEXTS,
    STREETS,
    SUGGESTION_TEXTS,
    THANKS_TEXTS,
    TOWNS,
)

NAMESPACE = uuid.UUID("0c3f58c2-7d7e-4d9b-8f4e-5f2a7c6b9292")

# Site -> (received, expecting a reply, answered in time, mean delay, categories).
YEAR_2022 = {
    "92-nanterre": (
        376,
        303,
        223,  # 73.6 %
        3.7,
        {"waiting_time": 162, "appointment": 139, "information": 25, "reception": 15,
         "premises": 12, "telephone": 10, "website": 8, "other": 5},
    ),
    "92-antony": (14, 9, 8, 2.3,  # 88.9 %
                  {"waiting_time": 6, "appointment": 5, "reception": 1, "information": 1,
                   "premises": 1}),
    "92-boulogne": (5, 4, 4, 2.0, {"waiting_time": 2, "appointment": 2, "reception": 1}),
}  # fmt: skip
# 2021, as the minutes give it: Nanterre 45 % in time and 4,1 days ("en forte augmentation
# par rapport à 2021 (45 %)", "de 4,1 jours en 2021 à 3,7 jours"), Antony 2 ("14 en 2022,
# contre 2 en 2021"), Boulogne 14 ("5 réclamations (contre 14 en 2021)"); the rest invented.
YEAR_2021 = {
    "92-nanterre": (
        290,
        240,
        108,  # 45 %
        4.1,
        {"waiting_time": 118, "appointment": 104, "information": 21, "reception": 16,
         "premises": 11, "telephone": 9, "website": 7, "other": 4},
    ),
    "92-antony": (2, 2, 2, 3.0, {"waiting_time": 1, "appointment": 1}),
    "92-boulogne": (14, 12, 10, 2.5, {"waiting_time": 6, "appointment": 5, "reception": 2,
                                      "information": 1}),
}  # fmt: skip
YEARS = {2021: YEAR_2021, 2022: YEAR_2022}
EXPECTING_CHANNELS = [("courriel", 60), ("courrier", 14), ("web", 12), ("telephone", 5),
                      ("urne", 6), ("qr", 3)]  # fmt: skip
ANONYMOUS_CHANNELS = [("urne", 50), ("kiosk", 20), ("qr", 15), ("web", 15)]
SUGGESTION_CATEGORIES = ("premises", "information", "website", "other")
THANKS_CATEGORIES = ("reception", "information", "other")


def _service_code(rng: random.Random, site_code: str, category: str) -> str | None:
    if category in ("waiting_time", "appointment"):
        if site_code == "92-nanterre":
            return weighted(rng, [("etrangers", 70), ("naturalisations", 22), ("pan", 8)])
        if site_code == "92-boulogne":
            return weighted(rng, [("etrangers", 85), ("cert", 15)])
        return "etrangers"
    if site_code == "92-antony" and rng.random() < 0.2:
        return "associations"
    return "accueil" if rng.random() < 0.7 else None


def _contact(rng: random.Random, channel: str) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    email = f"{first.lower().replace('ï', 'i').replace('é', 'e')}.{last.lower()}@example.org"
    if channel == "courrier":
        address = f"{rng.randrange(1, 120)} {rng.choice(STREETS)}\n{rng.choice(TOWNS)}"
        return {"contact_name": name, "contact_address": address}
    if channel == "telephone":
        return {"contact_name": name}
    return {"contact_name": name, "contact_email": email}


def _reply_channel(contact: dict, channel: str) -> str:
    if channel == "telephone":
        return "telephone"
    return "courriel" if contact.get("contact_email") else "courrier"


def _text(rng: random.Random, kind: str, category: str) -> str:
    if kind == "remerciement":
        return rng.choice(THANKS_TEXTS)
    if kind == "suggestion":
        return rng.choice(SUGGESTION_TEXTS)
    return rng.choice(RECLAMATION_TEXTS[category])


def _received_day(rng: random.Random, channel: str, start: date, end: date) -> date:
    while True:
        day = start + timedelta(days=rng.randrange((end - start).days + 1))
        # Paper arrives on working days; emails also on weekends, less often.
        if is_working_day(day, "92") or (
            channel not in ("courrier", "urne") and rng.random() < 0.3
        ):
            return day


def _delays(rng: random.Random, rows: list[dict], in_time: int, mean: float) -> list[int]:
    """Reply delays (working days) of the answered rows: ``in_time`` of them within their
    deadline, the rest late, averaging ``mean``."""
    bands = []
    for i, row in enumerate(rows):
        limit = DEFAULT_REPLY_DAYS[row["channel"]]
        low = 0 if is_working_day(row["received_on"], "92") else 1
        bands.append((low, limit) if i < in_time else (limit + 1, limit + 8))
    delays = [rng.randint(low, min(high, low + 4)) for low, high in bands]
    target = round(mean * len(rows))
    for _ in range(10_000):
        gap = target - sum(delays)
        if gap == 0:
            break
        i = rng.randrange(len(rows))
        step = 1 if gap > 0 else -1
        if bands[i][0] <= delays[i] + step <= bands[i][1]:
            delays[i] += step
    return delays


def _year_rows(rng: random.Random, site_code: str, year: int = 2022) -> list[dict]:
    received, expecting, in_time, mean, categories = YEARS[year][site_code]
    labels = [c for c, n in categories.items() for _ in range(n)]
    rng.shuffle(labels)
    rows = []
    for i, category in enumerate(labels):
        expects = i < expecting
        if expects:
            channel = weighted(rng, EXPECTING_CHANNELS)
            kind = (
                "suggestion"
                if category in SUGGESTION_CATEGORIES and rng.random() < 0.5
                else "reclamation"
            )
            contact = _contact(rng, channel)
        else:
            channel = weighted(rng, ANONYMOUS_CHANNELS)
            kind = "remerciement" if category in THANKS_CATEGORIES else "reclamation"
            contact = {}
        day = _received_day(rng, channel, date(year, 1, 3), date(year, 12, 16))
        rows.append({
            "site_code": site_code, "category": category, "kind": kind, "channel": channel,
            "received_on": day, "hour": rng.randrange(8, 18), "contact": contact,
            "reply_expected": expects, "service_code": _service_code(rng, site_code, category),
            "text": _text(rng, kind, category),
        })  # fmt: skip
    answered = rows[:expecting]
    for row, delay in zip(answered, _delays(rng, answered, in_time, mean), strict=True):
        row["answered_on"] = add_working_days(row["received_on"], delay, "92")
    return rows


def _insert(session: Session, row: dict, sites: dict[str, Site], categories: dict) -> Reclamation:
    site = sites[row["site_code"]]
    service = next((s for s in site.services if s.code == row["service_code"]), None)
    received_at = datetime.combine(row["received_on"], time(row["hour"]), PARIS).astimezone(UTC)
    answered_on = row.get("answered_on")
    status = "answered" if answered_on else ("closed" if not row["reply_expected"] else "new")
    status = row.get("status", status)
    rec = Reclamation(
        reference=row["reference"], client_id=row.get("client_id"), kind=row["kind"],
        channel=row["channel"], category_id=categories[row["category"]], site_id=site.id,
        service_id=service.id if service else None, received_on=row["received_on"],
        received_at=received_at, due_on=reply_deadline(row["received_on"], row["channel"], "92"),
        text=row["text"], reply_wanted=bool(row["contact"]), reply_expected=row["reply_expected"],
        status=status, answered_on=answered_on, language="fr",
        assigned_service_id=service.id if service and status != "new" else None,
        reply_channel=_reply_channel(row["contact"], row["channel"]) if answered_on else None,
        reply_text=REPLY_TEXTS.get(row["category"] if row["kind"] != "suggestion" else "suggestion")
        if answered_on else None,
        last_exchange_on=answered_on, **row["contact"],
    )  # fmt: skip
    rec.events.append(ReclamationEvent(at=received_at, action="received"))
    if answered_on:
        at = datetime.combine(answered_on, time(15), PARIS).astimezone(UTC)
        rec.events.append(ReclamationEvent(at=at, action="answered"))
    elif status == "closed":
        rec.events.append(ReclamationEvent(at=received_at + timedelta(days=1), action="closed"))
    elif status == "assigned":
        rec.events.append(ReclamationEvent(at=received_at + timedelta(hours=2), action="assigned"))
    session.add(rec)
    return rec


def _categories(session: Session) -> dict[str, int]:
    return dict(session.execute(select(ReclamationCategory.code, ReclamationCategory.id)).all())


def build_year_reclamations(session: Session, sites: dict[str, Site], year: int = 2022) -> int:
    """Store ``year``'s réclamations not yet stored (``92-YYYY-NNNNNN``); return how many."""
    rows = []
    for site_code in YEARS[year]:
        rows += _year_rows(random.Random(f"demo-reclamations-{year}-{site_code}"), site_code, year)
    rows.sort(key=lambda r: (r["received_on"], r["hour"], r["site_code"]))
    for number, row in enumerate(rows, start=1):
        row["reference"] = f"92-{year}-{number:06d}"
    known = set(
        session.scalars(
            select(Reclamation.reference).where(Reclamation.reference.like(f"92-{year}-%"))
        )
    )
    categories = _categories(session)
    created = 0
    for row in rows:
        if row["reference"] not in known:
            _insert(session, row, sites, categories)
            created += 1
    counter = session.scalar(
        select(ReferenceCounter).where(
            ReferenceCounter.departement == "92", ReferenceCounter.year == year
        )
    )
    if counter is None:
        session.add(ReferenceCounter(departement="92", year=year, last_value=len(rows)))
    elif counter.last_value < len(rows):
        counter.last_value = len(rows)
    session.flush()
    return created


def build_recent_reclamations(
    session: Session, sites: dict[str, Site], now: datetime, days: int = 60
) -> tuple[int, int, int]:
    """Store the recent réclamations of the ``days`` before ``now`` not yet stored (none
    later than ``now``); return (created, open, overdue).

    Open and overdue count every recent réclamation still expecting a reply.
    """
    local_now = now.astimezone(PARIS)
    today = local_now.date()
    categories = _categories(session)
    start = today - timedelta(days=days)
    created = 0
    day = start
    while day <= today:
        for site_code, weights in (
            ("92-nanterre", (3, 5, 2)),
            ("92-antony", (16, 1, 0)),
            ("92-boulogne", (18, 1, 0)),
        ):
            rng = random.Random(f"demo-recent-reclamations-{site_code}-{day}")
            for i in range(rng.choices((0, 1, 2), weights=weights)[0]):
                client_id = str(uuid.uuid5(NAMESPACE, f"{site_code}/{day}/{i}"))
                if session.scalar(select(Reclamation.id).where(Reclamation.client_id == client_id)):
                    continue
                # One generator per item, so skipping stored items leaves the others unchanged.
                item_rng = random.Random(f"demo-recent-reclamation-{site_code}-{day}-{i}")
                if not is_working_day(day, "92") and item_rng.random() < 0.6:
                    continue
                row = _recent_row(item_rng, site_code, day, local_now)
                if row is None:
                    continue
                row["client_id"] = client_id
                row["reference"] = next_reference(session, "92", day.year)
                _insert(session, row, sites, categories)
                created += 1
        day += timedelta(days=1)
    session.flush()
    waiting = select(func.count()).where(
        Reclamation.reply_expected.is_(True),
        Reclamation.status.in_(("new", "assigned")),
        Reclamation.received_on >= start,
    )
    open_count = session.scalar(waiting)
    overdue = session.scalar(waiting.where(Reclamation.due_on < today))
    return created, open_count, overdue


def _recent_row(rng: random.Random, site_code: str, day: date, now: datetime) -> dict | None:
    category = weighted(rng, [("waiting_time", 43), ("appointment", 37), ("reception", 6),
                               ("information", 6), ("premises", 4), ("website", 4)])  # fmt: skip
    expects = rng.random() < 0.85
    channel = weighted(rng, EXPECTING_CHANNELS if expects else ANONYMOUS_CHANNELS)
    kind = "reclamation"
    if category in SUGGESTION_CATEGORIES and rng.random() < 0.5:
        kind = "suggestion"
    if not expects and category in THANKS_CATEGORIES:
        kind = "remerciement"
    hour = rng.randrange(8, 18)
    today = now.date()
    if day == today and hour >= now.hour:
        return None
    row = {
        "site_code": site_code, "category": category, "kind": kind, "channel": channel,
        "received_on": day, "hour": hour, "contact": _contact(rng, channel) if expects else {},
        "reply_expected": expects, "service_code": _service_code(rng, site_code, category),
        "text": _text(rng, kind, category),
    }  # fmt: skip
    if not expects:
        return row
    due = reply_deadline(day, channel, "92")
    delay = rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6, 8))
    answered_on = add_working_days(day, delay, "92")
    # Most are answered in time; a few past their deadline are still waiting (overdue).
    waiting = rng.random() < (0.5 if due >= today else 0.15)
    # A reply of today is recorded at 15:00 (see _insert): not before that hour has come.
    replied = answered_on < today or (answered_on == today and now.hour >= 15)
    if replied and not waiting:
        row["answered_on"] = answered_on
    else:
        row["status"] = "assigned" if rng.random() < 0.5 else "new"
    return row
