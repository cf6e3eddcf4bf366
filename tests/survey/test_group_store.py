"""Several submissions stored in one transaction (group commit): each is decided as if it
were alone, the accepted ones are written together, and the tallies stay exact."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from surveys import DomainError
from surveys.admin import revoke_tablet
from surveys.models import RatingTally, RefusedSubmission, Response, utcnow
from surveys.responses import (
    Outcome,
    PendingSubmission,
    TabletLimits,
    parse_submission,
    store_submissions,
)
from surveys.tablets import token_hash
from surveys.tallies import rebuild_tallies
from tests.factories import make_service
from tests.survey.helpers import enrolled_tablet, payload

LIMITS = TabletLimits(min_interval_seconds=5, hourly_limit=300)


def kiosk(token: str, seconds_ago: float, **overrides) -> PendingSubmission:
    when = (utcnow() - timedelta(seconds=seconds_ago)).isoformat()
    submission = parse_submission(payload(submitted_at=when, **overrides))
    return PendingSubmission(submission, token_hash=token_hash(token), limits=LIMITS)


def tallies(db) -> list[tuple]:
    columns = [c for c in RatingTally.__table__.columns if c.name != "id"]
    rows = sorted(tuple(row) for row in db.execute(select(*columns)).all())
    db.rollback()
    return rows


def test_a_group_decides_each_submission_as_alone_and_writes_the_accepted_together(db):
    service = make_service(db)
    _one, token_one = enrolled_tablet(db, service, "Tablette 1")
    _two, token_two = enrolled_tablet(db, service, "Tablette 2")
    revoked, token_revoked = enrolled_tablet(db, service, "Tablette 3")
    revoke_tablet(revoked)
    db.commit()
    stored_before = kiosk(token_two, 200, ratings={"overall": 5})
    [created] = store_submissions(db, [stored_before])
    db.commit()
    assert created.status == "created"

    first = kiosk(token_one, 60, ratings={"overall": 4, "courtesy": 5})
    too_close = kiosk(token_one, 58)  # 2 s after the first, same tablet: under 5 s
    twice = kiosk(token_two, 30, comment="Rapide")
    conflict = kiosk(
        token_two, 200, response_id=stored_before.submission.response_id, ratings={"overall": 1}
    )
    unknown_criterion = kiosk(token_two, 20, ratings={"nope": 3})
    web = PendingSubmission(parse_submission(payload(channel="web", ratings={"overall": 2})))
    group = [
        too_close,
        web,
        twice,
        kiosk(token_revoked, 40),
        first,
        conflict,
        twice,
        unknown_criterion,
    ]
    results = store_submissions(db, group)
    db.commit()

    assert [r.status if isinstance(r, Outcome) else r.code for r in results] == [
        "created",
        "created",
        "created",
        "unauthorized",
        "created",
        "conflict",
        "exists",
        "unknown",
    ]
    # Kept, marked and left out of the tallies (the rebuild below leaves it out too).
    assert results[0].flag == "min_interval" and results[0].tablet_id == _one.id
    assert results[4].flag is None
    assert results[2].tablet_id == results[6].tablet_id == _two.id
    assert isinstance(results[3], DomainError) and results[3].field == "credential"
    stored = db.scalars(select(Response.response_id)).all()
    assert sorted(stored) == sorted(
        p.submission.response_id for p in (stored_before, first, too_close, twice, web)
    )
    # What an enrolled tablet sent and the server refused is counted, by reason.
    refused = db.execute(select(RefusedSubmission.reason, RefusedSubmission.count)).all()
    assert sorted(refused) == [("conflict", 1), ("unknown", 1)]
    db.rollback()
    written = tallies(db)
    rebuild_tallies(db)
    db.commit()
    assert tallies(db) == written


def test_a_tablet_over_its_hourly_limit_within_one_group_is_refused_from_the_limit_on(db):
    _tablet, token = enrolled_tablet(db)
    limits = TabletLimits(min_interval_seconds=0, hourly_limit=3)
    group = []
    for n in range(5):
        item = kiosk(token, 100 - n * 10)
        group.append(PendingSubmission(item.submission, item.token_hash, limits))
    results = store_submissions(db, group)
    db.commit()
    assert [r.status for r in results] == ["created"] * 3 + ["refused"] * 2
    assert {r.reason for r in results[3:]} == {"hourly_limit"}
    assert db.scalar(select(func.count()).select_from(Response)) == 3


def test_a_group_of_many_new_responses_stores_each_once(db):
    _tablet, token = enrolled_tablet(db)
    limits = TabletLimits(0, 0)
    group = [
        PendingSubmission(
            parse_submission(payload(response_id=str(uuid.uuid4()))), token_hash(token), limits
        )
        for _ in range(40)
    ]
    results = store_submissions(db, group)
    db.commit()
    assert [r.status for r in results] == ["created"] * 40
    ids = db.scalars(select(Response.response_id)).all()
    assert sorted(ids) == sorted(p.submission.response_id for p in group)
