"""A site's official title, for the bloc marque of its pages

Revision ID: 0016_site_official_title
Revises: 0015_response_local_buckets
Create Date: 2026-12-03 16:40:00

The pages of a site name the service as the State writes it ("Préfet des Hauts-de-Seine"),
typed by the quality mission; a site without one shows the instance's default.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_site_official_title"
down_revision = "0015_response_local_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("official_title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("official_title")
