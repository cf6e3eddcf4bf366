"""``avis purge``: erase réclamation contact details kept past the retention period
(``AVIS_RETENTION_DAYS``, three years after the last exchange by default); and
``avis mail send``: deliver the emails still waiting in the queue. Both suit a timer
(``deploy/`` schedules them)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys.calendar import local_today
from surveys.i18n import _l, _ln
from surveys.outbox import pending_count
from surveys.privacy import forget_copies, purge

from ..mail import deliver_queued, mail_folder, smtp_configured
from .common import cli_session, say
from .common import user_text as _t


@click.command(
    "purge",
    help=_t(
        _l("Efface les coordonnées plus anciennes que la durée de conservation ; dit combien.")
    ),
)
@click.option("--dry-run", is_flag=True, help=_t(_l("Compte seulement ce qui serait effacé.")))
@with_appcontext
def purge_command(dry_run: bool) -> None:
    days = int(current_app.config["AVIS_RETENTION_DAYS"])
    with cli_session() as session:
        count = purge(session, days, local_today(), dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
            # Also the mail files and, on SQLite, the old pages of what was just erased.
            forget_copies(session, mail_folder())
    if dry_run:
        say(
            _ln(
                "{count} réclamation verrait ses coordonnées effacées (conservation {days} jours).",
                "{count} réclamations verraient leurs coordonnées effacées (conservation {days} "
                "jours).",
                count,
                days=days,
            )
        )
    else:
        say(
            _ln(
                "{count} réclamation a eu ses coordonnées effacées (conservation {days} jours).",
                "{count} réclamations ont eu leurs coordonnées effacées (conservation {days} "
                "jours).",
                count,
                days=days,
            )
        )


@click.group(
    "mail", help=_t(_l("Courriels sortants (accusés de réception et réponses aux usagers)."))
)
def mail_group() -> None:
    pass


@mail_group.command(
    "send",
    help=_t(_l("Envoie les courriels en attente ; dit combien sont partis et combien attendent.")),
)
@with_appcontext
def mail_send() -> None:
    sent, failed = deliver_queued(limit=1000)
    where = "SMTP" if smtp_configured() else _l("fichiers dans {folder}", folder=str(mail_folder()))
    say(
        _l(
            "{sent} envoyé(s) ({where}), {failed} en échec, gardé(s) pour un nouvel essai.",
            sent=sent,
            where=where,
            failed=failed,
        )
    )
    with cli_session() as session:
        say(_l("{count} en attente.", count=pending_count(session)))


commands = [purge_command, mail_group]
