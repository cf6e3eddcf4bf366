"""Tablet limit by index, failed logins in the database, mail claimed before it is sent

Revision ID: 0010_tablet_limit_login_mail
Revises: 0009_answer_criterion_index
Create Date: 2026-12-03 08:00:00

- ``response(tablet_id, submitted_at)``: the per-tablet limit counts one tablet's responses
  of the last hour; without it the count walked an hour of every tablet's responses.
- ``login_failure``: the failed logins of each account (by a keyed hash of the address
  typed, never the address), counted by every app server and worker alike.
- ``outbox_message.claimed_at``: a sender claims a message in a short transaction of its
  own, sends it outside any transaction, then marks it sent; a claim older than a few
  minutes (a sender that crashed) is taken over.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_tablet_limit_login_mail"
down_revision = "0009_answer_criterion_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_response_tablet_submitted", "response", ["tablet_id", "submitted_at"], unique=False
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(
        "ix_login_failure_account_at", "login_failure", ["account_key", "at"], unique=False
    )
    op.create_index("ix_login_failure_at", "login_failure", ["at"], unique=False)
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("claimed_at")
    op.drop_index("ix_login_failure_at", table_name="login_failure")
    op.drop_index("ix_login_failure_account_at", table_name="login_failure")
    op.drop_table("login_failure")
    op.drop_index("ix_response_tablet_submitted", table_name="response")
