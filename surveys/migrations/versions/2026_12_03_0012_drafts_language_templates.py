"""Questionnaire versions are drafts until published; a user's language may be unset;
réponses-types

Revision ID: 0012_drafts_language_templates
Revises: 0011_response_flag
Create Date: 2026-12-03 08:00:00

``questionnaire.published_on``: the first day a version is in force (null: a draft, shown
to no usager). The versions already stored were live from the day they were made, so they
are published on that day. ``user_account.language``: null means the back office follows
the browser; the French written into every account by default was no one's choice, so it
is cleared, while an English chosen by someone is kept. ``reply_template``: the mission's
réponses-types, per category and service; ``reclamation.reply_template_id``: the one a reply
started from; ``reclamation.reply_recorded_at``: when a reply was typed in, its date being
the day it was given (a letter sent on the 20th and typed on the 3rd was sent in time).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_drafts_language_templates"
down_revision = "0011_response_flag"
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
    op.create_table(
        "reply_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["reclamation_category.id"],
            name=op.f("fk_reply_template_category_id_reclamation_category"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_reply_template_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_template")),
    )
    with op.batch_alter_table("reclamation") as batch:
        batch.add_column(sa.Column("reply_recorded_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("reply_template_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reclamation_reply_template_id_reply_template"),
            "reply_template",
            ["reply_template_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("reclamation") as batch:
        batch.drop_constraint("fk_reclamation_reply_template_id_reply_template", type_="foreignkey")
        batch.drop_column("reply_template_id")
        batch.drop_column("reply_recorded_at")
    op.drop_table("reply_template")
    op.execute("UPDATE user_account SET language = 'fr' WHERE language IS NULL")
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column("language", existing_type=sa.String(16), nullable=False)
    with op.batch_alter_table("questionnaire") as batch:
        batch.drop_column("published_on")
