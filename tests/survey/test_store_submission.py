"""One submission stored in the session's transaction: what a tablet sent and the server
refused is counted by reason, a revoked tablet is refused, and the tallies written along
the way are those a rebuild finds."""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from surveys import DomainError
from surveys.models import RatingTally, RefusedSubmission, Response, utcnow
from surveys.responses import TabletLimits, parse_submission, store_submission
from surveys.tablets import revoke_tablet, token_hash
from surveys.tallies import rebuild_tallies
from tests.factories import make_service
from tests.survey.helpers import enrolled_tablet, payload

LIMITS = TabletLimits(min_interval_seconds=5, hourly_limit=300)


# One clock reading for a whole test: the gaps between its submissions are those it says,
# however long each call takes on a loaded machine.
NOW = utcnow()


@pytest.fixture(autouse=True)
def _one_clock_reading(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "NOW", utcnow())


def kiosk(db, token: str, seconds_ago: float, **overrides):
    when = (NOW - timedelta(seconds=seconds_ago)).isoformat()
    submission = parse_submission(payload(submitted_at=when, **overrides))
    try:
        return store_submission(db, submission, token_hash=token_hash(token), limits=LIMITS)
    finally:
        db.commit()  # as the API does, refused or not


def tallies(db) -> list[tuple]:
    columns = [c for c in RatingTally.__table__.columns if c.name != "id"]
    rows = sorted(tuple(row) for row in db.execute(select(*columns)).all())
    db.rollback()
    return rows


def test_each_outcome_of_a_tablet_and_its_refusals_counted_by_reason(db):
    service = make_service(db)
    one, token_one = enrolled_tablet(db, service, "Tablette 1")
    _two, token_two = enrolled_tablet(db, service, "Tablette 2")
    revoked, token_revoked = enrolled_tablet(db, service, "Tablette 3")
    revoke_tablet(revoked)
    db.commit()

    first = kiosk(db, token_one, 60, ratings={"overall": 4, "courtesy": 5})
    assert first.status == "created" and first.flag is None and first.tablet_id == one.id
    close = kiosk(db, token_one, 58)  # 2 s after the first, same tablet: under 5 s
    assert close.status == "created" and close.flag == "min_interval"
    stored = kiosk(db, token_two, 200, ratings={"overall": 5})
    again = kiosk(db, token_two, 200, response_id=stored.response_id, ratings={"overall": 5})
    assert again.status == "exists"
    with pytest.raises(DomainError) as conflict:
        kiosk(db, token_two, 200, response_id=stored.response_id, ratings={"overall": 1})
    assert conflict.value.code == "conflict"
    with pytest.raises(DomainError) as unknown:
        kiosk(db, token_two, 20, ratings={"nope": 3})
    assert unknown.value.code == "unknown"
    with pytest.raises(DomainError) as gone:
        kiosk(db, token_revoked, 40)
    assert (gone.value.code, gone.value.field) == ("unauthorized", "credential")

    assert sorted(db.scalars(select(Response.response_id)).all()) == sorted(
        [first.response_id, close.response_id, stored.response_id]
    )
    # What an enrolled tablet sent and the server refused is counted, by reason.
    refused = db.execute(select(RefusedSubmission.reason, RefusedSubmission.count)).all()
    assert sorted(refused) == [("conflict", 1), ("unknown", 1)]
    db.rollback()
    written = tallies(db)
    rebuild_tallies(db)
    db.commit()
    assert tallies(db) == written


def test_a_web_submission_refused_counts_no_tablet_refusal(db):
    make_service(db)
    db.commit()
    with pytest.raises(DomainError):
        store_submission(db, parse_submission(payload(channel="web", ratings={"nope": 2})))
    db.commit()
    assert db.scalars(select(RefusedSubmission)).all() == []


def test_the_one_response_path_stores_what_the_bulk_path_stores(db):
    """A tablet's response goes through the driver in one go (one statement on PostgreSQL,
    the cursor on SQLite); the same row written by the general path must read back the
    same, byte for byte at the driver, with the same answers and tallies."""
    import uuid
    from dataclasses import replace
    from datetime import UTC, datetime

    from sqlalchemy import text

    from surveys.models import HourTally, MixTally, RatingTally
    from surveys.response_writes import insert_responses
    from tests.analysis.helpers import new_response
    from tests.factories import make_service

    service = make_service(db)
    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward
    first = new_response(db, service, at, {"overall": 4, "courtesy": 5}, comment="Merci")
    first = replace(first, received_at=datetime(2026, 3, 29, 0, 31, 7, 250, tzinfo=UTC))
    second = replace(first, response_id=str(uuid.uuid4()))
    one = insert_responses(db, [first], skip_stored=True)  # the API's path
    many = insert_responses(db, [second])  # the general one
    assert one and many
    assert insert_responses(db, [first], skip_stored=True) == {}  # already stored
    columns = "site_id, service_id, channel, language, submitted_at, received_at, "
    columns += "questionnaire_id, campaign_id, tablet_id, comment, finished, flag, "
    columns += "local_day, local_month, local_weekday, local_hour"
    rows = db.execute(text(f"SELECT {columns} FROM response ORDER BY id")).all()  # noqa: S608
    assert len(rows) == 2 and rows[0] == rows[1]
    answers = db.execute(
        text("SELECT criterion_id, rating FROM answer ORDER BY response_id, criterion_id")
    ).all()
    assert answers[:2] == answers[2:] and len(answers) == 4
    for tally in (RatingTally, HourTally, MixTally):
        counts = db.scalars(select(tally)).all()
        assert counts and all(getattr(t, "r4", 0) + getattr(t, "r5", 0) > 0 for t in counts)
        if tally is not RatingTally:
            assert all(t.responses == 2 for t in counts)
