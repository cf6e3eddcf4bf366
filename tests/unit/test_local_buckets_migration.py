"""Migration 0015 gives the responses already stored their place in their site's calendar,
as a response written today gets it (``surveys.tallies.local_buckets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from surveys import migrate
from surveys.db import make_engine
from surveys.tallies import local_buckets
from tests.conftest import PG_ADMIN_URL, pg_database


def _at_0014_with_history(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine, "0014_indicator_on_poster")
    with engine.begin() as connection:
        for site_id, code, zone in (
            (1, "92-nanterre", "Europe/Paris"),
            (2, "974-sd", "Indian/Reunion"),
        ):
            connection.execute(
                text(
                    "INSERT INTO site (id, code, name, departement, timezone, active, created_at) "
                    "VALUES (:id, :code, :code, '92', :zone, :yes, :now)"
                ),
                {"id": site_id, "code": code, "zone": zone, "yes": True, "now": datetime.now(UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO service (id, site_id, code, name, active) "
                    "VALUES (:id, :id, 'accueil', 'Accueil', :yes)"
                ),
                {"id": site_id, "yes": True},
            )
        questionnaire = connection.execute(text("SELECT min(id) FROM questionnaire")).scalar()
        # 31 December, 22:30 UTC: still 2025 in Nanterre (23:30), already 2026 in La Réunion.
        for pk, site_id in ((1, 1), (2, 2)):
            connection.execute(
                text(
                    "INSERT INTO response (id, response_id, site_id, service_id, channel, "
                    "language, submitted_at, received_at, questionnaire_id, finished) VALUES "
                    "(:id, :rid, :site, :site, 'qr', 'fr', :at, :at, :q, :yes)"
                ),
                {
                    "id": pk,
                    "rid": f"00000000-0000-0000-0000-00000000000{pk}",
                    "site": site_id,
                    "at": datetime(2025, 12, 31, 22, 30, tzinfo=UTC),
                    "q": questionnaire,
                    "yes": True,
                },
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, local_day, local_month, local_weekday, local_hour FROM response "
                "ORDER BY id"
            )
        ).all()
    engine.dispose()
    stamp = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)
    expected = [
        (1, *local_buckets(stamp, "Europe/Paris")),
        (2, *local_buckets(stamp, "Indian/Reunion")),
    ]
    as_dates = [
        (pk, *(date.fromisoformat(v) if isinstance(v, str) else v for v in (day, month)), wd, h)
        for pk, day, month, wd, h in rows
    ]
    assert as_dates == expected
    assert expected[0][1:3] == (date(2025, 12, 31), date(2025, 12, 1))
    assert expected[1][1:3] == (date(2026, 1, 1), date(2026, 1, 1))


def test_the_upgrade_fills_the_local_calendar_of_stored_responses(tmp_path):
    if PG_ADMIN_URL:
        with pg_database() as url:
            _at_0014_with_history(url)
    else:
        _at_0014_with_history(f"sqlite:///{tmp_path / 'old.db'}")
