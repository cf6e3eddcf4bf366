"""Which register indicators the transparency poster shows

Revision ID: 0014_indicator_on_poster
Revises: 0013_register_indicators
Create Date: 2026-12-03 13:00:00

The programme's poster shows a few of the register's figures beside the satisfaction and
the réclamations: the issuance delays and the calls answered, each with its target. The
quality mission ticks which; those four are ticked in a database that has them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_indicator_on_poster"
down_revision = "0013_register_indicators"
branch_labels = None
depends_on = None

ON_POSTER = (
    "calls_answered",
    "issuance_delay_id",
    "issuance_delay_licence",
    "issuance_delay_registration",
)


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_poster", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    indicator = sa.table("indicator", sa.column("code", sa.String), sa.column("on_poster"))
    op.execute(
        indicator.update().where(indicator.c.code.in_(ON_POSTER)).values(on_poster=sa.true())
    )


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("on_poster")
