"""Reference stamp: app processes cache sites, campaigns, criteria and tablets until it changes

Revision ID: 0008_reference_stamp
Revises: 0007_tally_covering_indexes
Create Date: 2026-11-23 06:30:00

One row whose random stamp is rewritten in the same transaction as any change to the
reference rows (see surveys.models.versioning); storing a response then reads this row
instead of a dozen others.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0008_reference_stamp"
down_revision = "0007_tally_covering_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "reference_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_stamp")),
    )
    op.bulk_insert(table, [{"id": 1, "stamp": secrets.randbits(62)}])


def downgrade() -> None:
    op.drop_table("reference_stamp")
