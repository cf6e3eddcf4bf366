"""Covering indexes on the tallies, in the order reports group them

Revision ID: 0007_tally_covering_indexes
Revises: 0006_usager_languages
Create Date: 2026-11-23 04:05:00

A year's report groups ~200,000 tally rows per table; with these indexes SQLite and
PostgreSQL read them in group order from the index alone instead of sorting the table
(measured on 1 M responses: heatmap 1.4 s -> 0.2 s, satisfaction 0.65 s -> 0.35 s).
On SQLite the month range is hidden from the planner (analysis.counts) so it streams them.
"""

from alembic import op

revision = "0007_tally_covering_indexes"
down_revision = "0006_usager_languages"
branch_labels = None
depends_on = None

COUNTS = ["r1", "r2", "r3", "r4", "r5"]
INDEXES = {
    "ix_tally_rating_groups": (
        "tally_rating",
        ["site_id", "service_id", "criterion_id", "month", "campaign_id", *COUNTS],
    ),
    "ix_tally_rating_months": (
        "tally_rating",
        ["criterion_id", "month", "site_id", "service_id", "campaign_id", *COUNTS],
    ),
    "ix_tally_hour_groups": (
        "tally_hour",
        ["weekday", "hour", "month", "site_id", "service_id", "campaign_id", "responses", *COUNTS],
    ),
    "ix_tally_mix_groups": (
        "tally_mix",
        [
            "site_id",
            "service_id",
            "channel",
            "language",
            "month",
            "campaign_id",
            "responses",
            *COUNTS,
        ],
    ),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
