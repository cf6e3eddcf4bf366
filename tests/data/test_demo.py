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
    Campaign,
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
    in_2022 = Response.submitted_at.between(
        datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC)
    )
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

    rows = db.scalars(
        select(Reclamation).where(
            Reclamation.received_on.between(date(2022, 1, 1), date(2022, 12, 31))
        )
    ).all()
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
    assert "0 réponse et 0 réclamation ajoutées" in again.output  # French: 0 is singular
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


def test_demo_has_the_minutes_respondents_campaign_dates_and_the_2021_to_compare_with(db):
    from analysis.filters import make_filters
    from analysis.report import build_report

    build_demo(db, scale=1.0, now=NOW)
    db.flush()
    # "194 usagers : bureau du séjour des étrangers (102), naturalisations (36), accueil
    # général (6), point numérique (2), autres démarches (48)"; Antony 176, Boulogne 105.
    filters = make_filters(db, date_from=date(2022, 1, 1), date_to=date(2022, 12, 31))
    report = build_report(db, filters, today=date(2023, 3, 1))
    respondents = {(r["site"], r["service"]): r["responses"] for r in report.responses}
    assert respondents[("92-nanterre", "etrangers")] == 102
    assert respondents[("92-nanterre", "naturalisations")] == 36
    by_site = Counter()
    for (site, _service), n in respondents.items():
        by_site[site] += n
    assert by_site == {"92-nanterre": 194, "92-antony": 176, "92-boulogne": 105}
    nanterre = db.scalar(select(Campaign).where(Campaign.code == "qualepref-2022-nanterre"))
    assert (nanterre.starts_on, nanterre.ends_on) == (date(2022, 11, 28), date(2022, 12, 18))
    antony = db.scalar(select(Campaign).where(Campaign.code == "qualepref-2022-sous-prefectures"))
    assert (antony.starts_on, antony.ends_on) == (date(2022, 3, 23), date(2022, 4, 20))
    # The 2022 figures of the minutes and the 2021 they are compared with.
    now = {r["site"]: r for r in report.reclamations if r["service"] is None}
    before = {r["site"]: r for r in report.previous_reclamations if r["service"] is None}
    assert (now["92-nanterre"]["received"], now["92-nanterre"]["in_time_rate"]) == (376, 0.736)
    assert round(now["92-nanterre"]["mean_delay_working_days"], 1) == 3.7
    assert (now["92-antony"]["received"], now["92-boulogne"]["received"]) == (14, 5)
    assert before["92-nanterre"]["in_time_rate"] == 0.45
    assert round(before["92-nanterre"]["mean_delay_working_days"], 1) == 4.1
    assert (before["92-antony"]["received"], before["92-boulogne"]["received"]) == (2, 14)


def test_demo_comments_agree_with_their_ratings(db):
    from analysis.comments import comments
    from analysis.filters import make_filters
    from surveys.demo.text import POSITIVE_COMMENTS_FR

    build_demo(db, scale=1.0, now=NOW)
    db.flush()
    filters = make_filters(db, date_from=date(2021, 1, 1), date_to=date(2022, 12, 31))
    found = comments(db, filters, limit=10_000)
    assert len(found) > 50
    for row in found:
        if row["comment"] in POSITIVE_COMMENTS_FR:
            assert row["overall"] >= 4 and min(row["ratings"].values()) >= 3, row
    # Ranked by the overall rating: the first comment is not a praise.
    assert found[0]["overall"] == 1 and found[0]["comment"] not in POSITIVE_COMMENTS_FR
