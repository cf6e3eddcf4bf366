"""Register indicators and their monthly values per site; the Services Publics+ channel;
action plans

Revision ID: 0013_register_indicators
Revises: 0012_drafts_language_templates
Create Date: 2026-12-03 08:30:00

The figures the CLU minutes report beside the surveys (calls answered, information emails,
website updates, PAN visits, issuance delays, attainment per Services Publics+ engagement)
come from other systems: Avis keeps them as monthly values per site. A fresh database holds
the indicators of the minutes; a quality mission can add its own.

Réclamations gain the channel ``services_publics_plus`` (an expérience told on the
Services Publics+ platform), which is longer than the 16 characters the channel columns
held: both channel columns grow to 32.

Each site's yearly action plans, reported to the CLU, get their table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_register_indicators"
down_revision = "0012_drafts_language_templates"
branch_labels = None
depends_on = None

OLD_CHANNELS = ("kiosk", "web", "qr", "courriel", "courrier", "urne", "telephone")
NEW_CHANNELS = (*OLD_CHANNELS, "services_publics_plus")

# The Services Publics+ engagements (2021 charter), numbered as the diagnostic reports them.
ENGAGEMENTS = [
    (
        "Accueil courtois et bienveillant, droit à l'erreur",
        "Courteous and kind reception, right to make a mistake",
    ),
    (
        "Joignables par téléphone ou sur place, démarches en ligne facilitées",
        "Reachable by telephone or on site, online procedures made easy",
    ),
    (
        "Accompagnement adapté à votre situation personnelle",
        "Support suited to your personal situation",
    ),
    (
        "Orientation vers la personne compétente pour traiter votre demande",
        "Directed to the person able to handle your request",
    ),
    (
        "Réponse dans les délais annoncés, information sur l'avancement du dossier",
        "Answer within the announced time, news of the file's progress",
    ),
    (
        "Accès à nos résultats de qualité de service",
        "Access to our quality of service results",
    ),
    (
        "À votre écoute pour progresser et innover",
        "Listening to you to progress and innovate",
    ),
    (
        "Nous développons nos compétences et nous améliorons en continu",
        "We develop our skills and improve continuously",
    ),
    ("Nous sommes éco-responsables", "We are eco-responsible"),
]

# code, French name, English name, kind, unit, target, higher is better
INDICATORS = [
    (
        "calls_answered",
        "Taux d'appels décrochés",
        "Calls answered",
        "rate",
        "percent",
        0.9,
        True,
    ),
    (
        "info_email_delay",
        "Délai moyen de réponse aux demandes d'information par courriel",
        "Mean reply delay to information requests by email",
        "mean",
        "working_days",
        5.0,
        False,
    ),
    (
        "info_email_in_time",
        "Demandes d'information par courriel répondues en 5 jours ouvrés",
        "Information requests by email answered within 5 working days",
        "rate",
        "percent",
        0.75,
        True,
    ),
    (
        "website_updates_in_time",
        "Mises à jour du site internet en 3 jours ouvrés",
        "Website updates made within 3 working days",
        "rate",
        "percent",
        None,
        True,
    ),
    (
        "pan_visits",
        "Visites au point d'accueil numérique (PAN)",
        "Visits to the digital reception point (PAN)",
        "count",
        "visits",
        None,
        True,
    ),
    (
        "issuance_delay_id",
        "Délai moyen de délivrance des cartes d'identité et passeports",
        "Mean issuance delay of identity cards and passports",
        "mean",
        "days",
        None,
        False,
    ),
    (
        "issuance_delay_licence",
        "Délai moyen de délivrance des permis de conduire",
        "Mean issuance delay of driving licences",
        "mean",
        "days",
        None,
        False,
    ),
    (
        "issuance_delay_registration",
        "Délai moyen de délivrance des certificats d'immatriculation",
        "Mean issuance delay of vehicle registration certificates",
        "mean",
        "days",
        None,
        False,
    ),
] + [
    (
        f"sp_engagement_{number}",
        f"Services Publics+, engagement n° {number} : {fr}",
        f"Services Publics+, commitment no. {number}: {en}",
        "rate",
        "percent",
        None,
        True,
    )
    for number, (fr, en) in enumerate(ENGAGEMENTS, start=1)
]


def _channels(values) -> str:
    return f"channel IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    indicator = op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('rate', 'mean', 'count')", name=op.f("ck_indicator_kind_known")
        ),
        sa.CheckConstraint(
            "kind <> 'rate' OR target IS NULL OR (target >= 0 AND target <= 1)",
            name=op.f("ck_indicator_rate_target_fraction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("code", name=op.f("uq_indicator_code")),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "count IS NULL OR count >= 0", name=op.f("ck_indicator_value_count_not_negative")
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_indicator_value_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_indicator_value_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint(
            "site_id",
            "indicator_id",
            "month",
            name=op.f("uq_indicator_value_site_id_indicator_id_month"),
        ),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_value_indicator_id"), ["indicator_id"], unique=False
        )
    op.bulk_insert(
        indicator,
        [
            {
                "code": code,
                "labels": {"fr": fr, "en": en},
                "kind": kind,
                "unit": unit,
                "target": target,
                "higher_is_better": higher,
                "position": position,
                "active": True,
            }
            for position, (code, fr, en, kind, unit, target, higher) in enumerate(INDICATORS)
        ],
    )
    _set_channels(NEW_CHANNELS, 32)
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('prevue', 'en_cours', 'realisee', 'abandonnee')",
            name=op.f("ck_action_status_known"),
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_action_year_range")),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_action_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_action_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index("ix_action_site_year", ["site_id", "year"], unique=False)


def _set_channels(channels, width: int) -> None:
    with op.batch_alter_table("reclamation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reclamation_channel_known"), type_="check")
        batch_op.alter_column("channel", type_=sa.String(length=width), existing_nullable=False)
        batch_op.alter_column(
            "reply_channel", type_=sa.String(length=width), existing_nullable=True
        )
        batch_op.create_check_constraint(op.f("ck_reclamation_channel_known"), _channels(channels))


def downgrade() -> None:
    # Réclamations received or answered on Services Publics+ would lose their channel:
    # the downgrade refuses rather than rewrite them.
    used = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT COUNT(*) FROM reclamation WHERE channel = 'services_publics_plus'"
                " OR reply_channel = 'services_publics_plus'"
            )
        )
        .scalar()
    )
    if used:
        raise RuntimeError(
            f"{used} réclamation(s) use the services_publics_plus channel; "
            "change their channel before downgrading"
        )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_site_year")
    op.drop_table("action")
    _set_channels(OLD_CHANNELS, 16)
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_value_indicator_id"))
    op.drop_table("indicator_value")
    op.drop_table("indicator")
