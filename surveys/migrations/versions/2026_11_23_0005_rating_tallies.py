"""Monthly tallies of ratings per site, service, campaign; by hour and by channel/language

Revision ID: 0005_rating_tallies
Revises: 0001
Create Date: 2026-11-23 03:45:00

Existing answers are not counted here: run ``avis tallies rebuild`` once after upgrading a
database that already holds responses.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_rating_tallies"
down_revision = "0001"
branch_labels = None
depends_on = None


def _counts() -> list[sa.Column]:
    return [sa.Column(f"r{value}", sa.Integer(), nullable=False) for value in range(1, 6)]


def _keys(table: str) -> list:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f(f"fk_{table}_site_id_site"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f(f"fk_{table}_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "tally_rating",
        *_keys("tally_rating"),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        *_counts(),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criterion.id"],
            name=op.f("fk_tally_rating_criterion_id_criterion"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "criterion_id",
            name=op.f("uq_tally_rating_key"),
        ),
    )
    op.create_table(
        "tally_hour",
        *_keys("tally_hour"),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        *_counts(),
        sa.UniqueConstraint(
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "weekday",
            "hour",
            name=op.f("uq_tally_hour_key"),
        ),
    )
    op.create_table(
        "tally_mix",
        *_keys("tally_mix"),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        *_counts(),
        sa.UniqueConstraint(
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "channel",
            "language",
            name=op.f("uq_tally_mix_key"),
        ),
    )


def downgrade() -> None:
    op.drop_table("tally_mix")
    op.drop_table("tally_hour")
    op.drop_table("tally_rating")
