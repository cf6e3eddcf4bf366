"""Questionnaire versions are drafts until published; a user's language may be unset

Revision ID: 0012_publication_user_language
Revises: 0009_answer_criterion_index
Create Date: 2026-12-03 08:00:00

``questionnaire.published_on``: the first day a version is in force (null: a draft, shown
to no usager). The versions already stored were live from the day they were made, so they
are published on that day. ``user_account.language``: null means the back office follows
the browser; the French written into every account by default was no one's choice, so it
is cleared, while an English chosen by someone is kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_publication_user_language"
down_revision = "0009_answer_criterion_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questionnaire") as batch:
        batch.add_column(sa.Column("published_on", sa.Date(), nullable=True))
    day = "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "created_at::date"
    op.execute(f"UPDATE questionnaire SET published_on = {day}")  # noqa: S608 (constant)
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column("language", existing_type=sa.String(16), nullable=True)
    op.execute("UPDATE user_account SET language = NULL WHERE language = 'fr'")


def downgrade() -> None:
    op.execute("UPDATE user_account SET language = 'fr' WHERE language IS NULL")
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column("language", existing_type=sa.String(16), nullable=False)
    with op.batch_alter_table("questionnaire") as batch:
        batch.drop_column("published_on")
