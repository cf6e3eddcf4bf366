"""Responses given unusually fast are kept and marked instead of refused

Revision ID: 0011_response_flag
Revises: 0010_tablet_limit_login_mail
Create Date: 2026-12-03 08:00:00

A tablet response given within the tablet's minimum interval of another one used to be
refused (429 ``min_interval``), and the tablet dropped it after thanking the usager. It is
now stored with ``flag = 'min_interval'``: the back office sees it and the rates leave it
out. Existing responses have no flag.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_response_flag"
down_revision = "0010_tablet_limit_login_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flag", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("flag")
