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


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Erase contact details older than the retention period; say how many."""
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


@click.group("mail")
def mail_group() -> None:
    """Outgoing emails (acknowledgements and replies to usagers)."""


@mail_group.command("send")
@with_appcontext
def mail_send() -> None:
    """Send the emails waiting in the queue; say how many went and how many wait."""
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
