"""Answers lose their index by criterion: each stored response wrote 3 to 9 more pages

Revision ID: 0009_answer_criterion_index
Revises: 0008_reference_stamp
Create Date: 2026-11-23 09:10:00

Every read reaches answers through their response (the unique index on response and
criterion); none looks them up by criterion alone, and criteria are never deleted. The
index cost each response's nine answers a page of its own per criterion: about 3 of the
19 pages a stored response wrote to the SQLite write-ahead log (bench/load.py).
"""

from alembic import op

revision = "0009_answer_criterion_index"
down_revision = "0008_reference_stamp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_answer_criterion_id", table_name="answer")


def downgrade() -> None:
    op.create_index("ix_answer_criterion_id", "answer", ["criterion_id"], unique=False)
