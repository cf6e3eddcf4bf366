"""``avis demo``: the Hauts-de-Seine figures of seed 003, built once however often it runs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import case, func, select

from surveys.calendar import working_days_between
from surveys.demo import build_demo
from surveys.models import (
    Answer,
    Criterion,
    Reclamation,
    ReclamationEvent,
    ReferenceCounter,
    Response,
    Site,
    Tablet,
    User,
)
from surveys.reclamations import working_days_left

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
SEED_SATISFACTION = {"92-nanterre": 0.857, "92-antony": 0.90, "92-boulogne": 0.925}
SEED_RECLAMATIONS = {  # received, in-time rate, mean delay in working days
    "92-nanterre": (376, 0.736, 3.7),
    "92-antony": (14, 0.888, 2.3),
    "92-boulogne": (5, 1.0, 2.0),
}


def counts(db) -> tuple[int, ...]:
    return tuple(
        db.scalar(select(func.count()).select_from(model))
        for model in (Site, Response, Answer, Reclamation, User, Tablet)
    )


def test_full_demo_is_close_to_the_seed_figures(db):
    build_demo(db, scale=1.0, now=NOW)
    db.flush()
    sites = {s.id: s.code for s in db.scalars(select(Site))}
    overall = db.scalar(select(Criterion.id).where(Criterion.code == "overall"))
    in_2022 = Response.submitted_at < datetime(2023, 1, 1, tzinfo=UTC)
    for site_id, given, satisfied in db.execute(
        select(
            Response.site_id,
            func.count(),
            func.sum(case((Answer.rating >= 4, 1), else_=0)),
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.criterion_id == overall, in_2022)
        .group_by(Response.site_id)
    ):
        assert abs(satisfied / given - SEED_SATISFACTION[sites[site_id]]) < 0.01, sites[site_id]

    rows = db.scalars(select(Reclamation).where(Reclamation.received_on < date(2023, 1, 1))).all()
    by_site: dict[str, list[Reclamation]] = {}
    for rec in rows:
        by_site.setdefault(sites[rec.site_id], []).append(rec)
    for code, (received, in_time_rate, mean_delay) in SEED_RECLAMATIONS.items():
        recs = by_site[code]
        assert len(recs) == received
        expecting = [r for r in recs if r.reply_expected]
        in_time = [r for r in expecting if r.answered_on and r.answered_on <= r.due_on]
        assert abs(len(in_time) / len(expecting) - in_time_rate) < 0.01, code
        delays = [working_days_between(r.received_on, r.answered_on, "92") for r in expecting]
        assert abs(sum(delays) / len(delays) - mean_delay) < 0.1, code
    categories = Counter(r.category.code for r in by_site["92-nanterre"])
    assert abs(categories["waiting_time"] / 376 - 0.43) < 0.01
    assert abs(categories["appointment"] / 376 - 0.37) < 0.01
    assert all(r.reference.startswith("92-2022-") for r in rows)
    counter = db.scalar(
        select(ReferenceCounter.last_value).where(
            ReferenceCounter.departement == "92", ReferenceCounter.year == 2022
        )
    )
    assert counter == 395
    # Contact details only where a reply is wanted, never on anonymous urne cards.
    assert any(r.contact_email for r in rows)
    assert all(r.reply_wanted or not (r.contact_email or r.contact_name) for r in rows)


def test_demo_responses_fall_in_opening_hours_on_working_days(db):
    build_demo(db, scale=0.05, now=NOW)
    paris = ZoneInfo("Europe/Paris")
    for (submitted_at,) in db.execute(select(Response.submitted_at)):
        local = submitted_at.astimezone(paris)
        assert local.weekday() < 5
        assert 9 <= local.hour < 16


def test_demo_twice_stores_nothing_new(db):
    first = build_demo(db, scale=0.05, now=NOW)
    assert first.responses_created > 0 and first.reclamations_created > 395
    before = counts(db)
    again = build_demo(db, scale=0.05, now=NOW)
    assert (again.responses_created, again.reclamations_created) == (0, 0)
    assert counts(db) == before


def test_recent_activity_has_open_and_overdue_reclamations(db):
    summary = build_demo(db, scale=0.05, now=NOW)
    assert summary.recent_to == date(2026, 11, 20)
    assert summary.open_reclamations > summary.overdue_reclamations > 0
    recent = db.scalar(
        select(func.count()).where(Response.submitted_at >= datetime(2026, 9, 21, tzinfo=UTC))
    )
    assert recent > 0
    assert db.scalar(select(func.max(Response.submitted_at))) <= NOW


def test_demo_command_prints_logins_and_urls(runner, db):
    result = runner.invoke(args=["demo", "--no-serve", "--scale", "0.02"])
    assert result.exit_code == 0, result.output
    for role in ("admin", "quality", "agent", "viewer"):
        assert f"  {role} " in result.output
    assert "/kiosk/enrol/" in result.output
    assert "/q/" in result.output
    assert "/avis" in result.output
    again = runner.invoke(args=["demo", "--no-serve", "--scale", "0.02"])
    assert "0 responses and 0 réclamations added" in again.output
    assert again.output.count("/kiosk/enrol/") == 2  # fresh codes: tablets not yet enrolled


@pytest.mark.parametrize(
    "now",
    [
        datetime(2027, 12, 6, 8, 30, tzinfo=UTC),  # a Monday morning, a year ahead
        datetime(2029, 12, 25, 17, 0, tzinfo=UTC),  # Christmas Day, three years ahead
    ],
    ids=["year-ahead", "three-years-ahead-holiday"],
)
def test_demo_built_on_any_day_holds_nothing_after_that_day(db, now):
    summary = build_demo(db, scale=0.02, now=now)
    today = now.astimezone(ZoneInfo("Europe/Paris")).date()
    assert summary.recent_to == today
    assert db.scalar(select(func.max(Response.submitted_at))) <= now
    assert db.scalar(select(func.max(Reclamation.received_on))) <= today
    assert db.scalar(select(func.max(Reclamation.received_at))) <= now
    assert db.scalar(select(func.max(Reclamation.answered_on))) <= today
    assert db.scalar(select(func.max(ReclamationEvent.at))) <= now
    waiting = db.scalars(
        select(Reclamation).where(
            Reclamation.received_on >= summary.recent_from,
            Reclamation.reply_expected.is_(True),
            Reclamation.answered_on.is_(None),
        )
    ).all()
    overdue = [rec for rec in waiting if rec.due_on < today]
    assert summary.open_reclamations == len(waiting) > summary.overdue_reclamations > 0
    assert summary.overdue_reclamations == len(overdue)
    for rec in waiting:
        if rec.due_on >= today:  # not overdue: days left, never a negative count
            assert working_days_left(rec, today) >= 0
