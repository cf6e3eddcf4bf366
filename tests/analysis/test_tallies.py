from datetime import UTC, datetime

from sqlalchemy import select

from surveys.models import HourTally, MixTally, RatingTally
from surveys.tallies import rebuild_tallies
from tests.factories import make_service, make_site

from .helpers import store


def _snapshot(db):
    return {
        model.__tablename__: sorted(
            tuple(v for k, v in vars(row).items() if k not in ("_sa_instance_state", "id"))
            for row in db.scalars(select(model))
        )
        for model in (RatingTally, HourTally, MixTally)
    }


def test_tallies_kept_on_write_equal_tallies_rebuilt_from_the_answers(db):
    paris = make_service(db, make_site(db))
    reunion = make_service(db, make_site(db, "974-st-denis", "Préfecture", "974", "Indian/Reunion"))
    store(db, paris, datetime(2026, 1, 31, 23, 30, tzinfo=UTC), {"courtesy": 5, "effort": 2})
    store(db, paris, datetime(2026, 1, 15, 9, 0, tzinfo=UTC), {"courtesy": 3}, channel="qr")
    store(db, reunion, datetime(2026, 1, 31, 21, 0, tzinfo=UTC), {"courtesy": 4}, language="en")
    db.commit()
    kept = _snapshot(db)
    assert rebuild_tallies(db) == 3
    db.commit()
    assert _snapshot(db) == kept


def test_a_response_late_on_the_last_evening_of_a_month_counts_in_the_next_local_month(db):
    reunion = make_service(db, make_site(db, "974-st-denis", "Préfecture", "974", "Indian/Reunion"))
    # 21:00 UTC on 31 January is 01:00 on 1 February in La Réunion (UTC+4).
    store(db, reunion, datetime(2026, 1, 31, 21, 0, tzinfo=UTC), {"courtesy": 4})
    db.commit()
    hour = db.scalars(select(HourTally)).one()
    assert (str(hour.month), hour.weekday, hour.hour) == ("2026-02-01", 6, 1)


def test_tallies_rebuild_command_counts_responses_stored_without_them(runner, db):
    from tests.factories import make_response

    service = make_service(db)
    make_response(db, service, {"overall": 5}, submitted_at=datetime(2026, 1, 5, 10, tzinfo=UTC))
    db.commit()
    assert db.scalars(select(RatingTally)).all() == []
    db.rollback()  # let the command write
    result = runner.invoke(args=["tallies", "rebuild"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    tally = db.scalars(select(RatingTally)).one()
    assert (str(tally.month), tally.r5) == ("2026-01-01", 1)


def test_tallies_kept_by_the_api_equal_tallies_rebuilt_from_the_answers(client, db):
    """The API's one-statement write (PostgreSQL) and its plain one (SQLite) count each
    answer once, in the site's local month, hour and channel, and never a retried copy."""
    import uuid
    from datetime import timedelta

    make_service(db, make_site(db))
    make_service(db, make_site(db, "974-st-denis", "Préfecture", "974", "Indian/Reunion"))
    db.commit()
    now = datetime.now(UTC)
    bodies = [
        {
            "response_id": str(uuid.uuid4()),
            "site": site,
            "service": "accueil",
            "channel": "web",
            "language": language,
            "submitted_at": (now - timedelta(hours=hours)).isoformat(),
            "ratings": ratings,
        }
        for site, language, hours, ratings in [
            ("92-nanterre", "fr", 1, {"overall": 5, "courtesy": 4, "clarity": 2}),
            ("92-nanterre", "en", 30, {"overall": 3}),
            ("974-st-denis", "fr", 2, {"overall": 4, "waiting_time": 1}),
            ("974-st-denis", "ar", 50, {"courtesy": 5, "clarity": 5}),
        ]
    ]
    for body in bodies:
        assert client.post("/api/v1/responses", json=body).status_code == 201
    assert client.post("/api/v1/responses", json=bodies[0]).status_code == 200  # a retry
    db.expire_all()
    kept = _snapshot(db)
    # Every answer counted once: 8 answers, 4 responses (the retry added nothing).
    rows = db.scalars(select(RatingTally)).all()
    assert sum(t.r1 + t.r2 + t.r3 + t.r4 + t.r5 for t in rows) == 8
    assert rebuild_tallies(db) == 4
    db.commit()
    assert _snapshot(db) == kept
