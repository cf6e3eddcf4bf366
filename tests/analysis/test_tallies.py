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
