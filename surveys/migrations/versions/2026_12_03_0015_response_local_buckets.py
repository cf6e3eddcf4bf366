"""Each response's day, month, weekday and hour in its site's calendar, stored with it

Revision ID: 0015_response_local_buckets
Revises: 0014_indicator_on_poster
Create Date: 2026-12-03 16:30:00

The tallies, their rebuild, the bulk import and a report's partial months each worked out
in which local month, weekday and hour an answer falls, four times over (Python, numpy,
pandas, SQL ranges in UTC). The response now carries them, computed once when it is
written; this fills them for the responses already stored, in batches. The conversion is
copied here rather than imported: a migration is frozen history.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0015_response_local_buckets"
down_revision = "0014_indicator_on_poster"
branch_labels = None
depends_on = None

BATCH = 20_000
FALLBACK_ZONE = "Europe/Paris"  # Site.timezone is required; only for a row without one


def _aware(value) -> datetime:
    if isinstance(value, str):  # SQLite keeps naive UTC text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("local_day", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("local_month", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("local_weekday", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("local_hour", sa.SmallInteger(), nullable=True))
        batch_op.create_index("ix_response_site_local_day", ["site_id", "local_day"])
    bind = op.get_bind()
    zones = {
        site_id: ZoneInfo(name or FALLBACK_ZONE)
        for site_id, name in bind.execute(sa.text("SELECT id, timezone FROM site"))
    }
    update = sa.text(
        "UPDATE response SET local_day = :day, local_month = :month, "
        "local_weekday = :weekday, local_hour = :hour WHERE id = :id"
    ).bindparams(
        sa.bindparam("day", type_=sa.Date()),
        sa.bindparam("month", type_=sa.Date()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, site_id, submitted_at FROM response WHERE id > :last "
                "ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            break
        values = []
        for pk, site_id, submitted_at in rows:
            local = _aware(submitted_at).astimezone(zones.get(site_id, ZoneInfo(FALLBACK_ZONE)))
            day = local.date()
            values.append(
                {
                    "id": pk,
                    "day": day,
                    "month": day.replace(day=1),
                    "weekday": local.weekday(),
                    "hour": local.hour,
                }
            )
        bind.execute(update, values)
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_site_local_day")
        batch_op.drop_column("local_hour")
        batch_op.drop_column("local_weekday")
        batch_op.drop_column("local_month")
        batch_op.drop_column("local_day")
