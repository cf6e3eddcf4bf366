"""The per-tablet limit counts one tablet's responses through the (tablet, time) index.

At a national peak an hour holds hundreds of thousands of responses from every tablet; the
limit's count must read only the calling tablet's, whatever the database's statistics.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from surveys.models import Response
from surveys.responses import _LIMIT_COUNTS
from surveys.tablets import register_tablet
from surveys.write_transaction import WriteTransaction
from tests.factories import default_questionnaire, make_service

TABLETS = 40
PER_TABLET = 100


def _busy_hour(db) -> int:
    """Store an hour of responses from many tablets (statistics gathered); return one id."""
    service = make_service(db)
    questionnaire_id = default_questionnaire(db).id
    tablets = [register_tablet(db, service, f"Tablette {n}")[0] for n in range(TABLETS)]
    start = datetime.now(UTC) - timedelta(hours=1)
    rows = [
        {
            "response_id": str(uuid.uuid4()),
            "site_id": service.site_id,
            "service_id": service.id,
            "channel": "kiosk",
            "language": "fr",
            "submitted_at": start + timedelta(seconds=36 * n),
            "received_at": start + timedelta(seconds=36 * n),
            "questionnaire_id": questionnaire_id,
            "tablet_id": tablet.id,
            "finished": True,
        }
        for tablet in tablets
        for n in range(PER_TABLET)
    ]
    db.execute(insert(Response), rows)
    db.commit()
    connection = db.connection()
    connection.exec_driver_sql("ANALYZE")
    db.commit()
    return tablets[0].id


def _plan(db, tablet_id: int) -> str:
    """The database's plan for the limit's count, as text."""
    now = datetime.now(UTC)
    transaction = WriteTransaction.in_session(db)
    at = transaction.value  # stored as naive UTC text on SQLite
    params = (
        at(now - timedelta(seconds=5)),
        at(now + timedelta(seconds=5)),
        at(now - timedelta(hours=1)),
        at(now),
        tablet_id,
        str(uuid.uuid4()),
        at(now - timedelta(hours=1)),
        at(now + timedelta(seconds=5)),
    )
    explain = "EXPLAIN QUERY PLAN " if transaction.sqlite else "EXPLAIN "
    rows = transaction.execute(explain + _LIMIT_COUNTS, params).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_tablet_limit_count_reads_one_tablets_responses_by_index(db):
    tablet_id = _busy_hour(db)
    plan = _plan(db, tablet_id)
    db.rollback()
    assert "ix_response_tablet_submitted" in plan, plan
    # Neither an hour of every tablet's responses nor the whole table.
    assert "ix_response_submitted_at" not in plan, plan
    assert "Seq Scan" not in plan and "SCAN response" not in plan, plan
