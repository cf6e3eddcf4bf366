"""Emails to usagers: the acknowledgement with the reference, and the reply.

Messages are rendered in the usager's language and queued in the database
(``surveys.outbox``) in the transaction that caused them; :func:`deliver_queued`, run by
``avis mail send`` and never inside a request, sends them through the SMTP server of
``AVIS_SMTP_URL`` (``smtp://host:port``, ``smtp+starttls://user:pass@host:587``,
``smtps://user:pass@host:465``) or, when none is configured, writes them as ``.eml`` files
into ``<instance>/mail`` — the back office says so.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from surveys.models import OutboxMessage, Reclamation
from surveys.outbox import QueuedMail, deliver_pending, mail_file_name, queue_message

from .db import session_factory
from .i18n import babel_locale

log = logging.getLogger("avis.mail")


def mail_folder() -> Path:
    """Return the folder where messages are written when no SMTP server is configured."""
    return Path(current_app.instance_path) / "mail"


def smtp_configured() -> bool:
    """Return True when ``AVIS_SMTP_URL`` names an SMTP server."""
    return bool(current_app.config.get("AVIS_SMTP_URL"))


def _render(rec: Reclamation, template: str, subject: Callable[[], str]) -> tuple[str, str]:
    with force_locale(babel_locale(rec.language)):
        body = render_template(
            f"reclamations/email/{template}",
            rec=rec,
            base_url=current_app.config.get("AVIS_BASE_URL", ""),
            dpo_contact=current_app.config.get("AVIS_DPO_CONTACT", ""),
            retention_years=max(1, round(current_app.config["AVIS_RETENTION_DAYS"] / 365)),
        )
        title = subject()
    return title, body


def queue_acknowledgement(session: Session, rec: Reclamation) -> OutboxMessage | None:
    """Queue the acknowledgement of ``rec`` when the usager gave an email; return it."""
    if not rec.contact_email:
        return None
    subject, body = _render(
        rec,
        "acknowledgement.txt",
        lambda: gettext("Votre message %(reference)s a bien été reçu", reference=rec.reference),
    )
    return queue_message(session, rec.contact_email, subject, body, rec.id)


def queue_reply(session: Session, rec: Reclamation) -> OutboxMessage | None:
    """Queue the reply to ``rec`` when it goes by email; return it."""
    if not rec.contact_email or rec.reply_channel != "courriel":
        return None
    subject, body = _render(
        rec,
        "reply.txt",
        lambda: gettext("Réponse à votre message %(reference)s", reference=rec.reference),
    )
    return queue_message(session, rec.contact_email, subject, body, rec.id)


def _email(message: QueuedMail) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config.get("AVIS_MAIL_FROM", "avis@localhost")
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="avis")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def _smtp_sender(url: str):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError("AVIS_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
    host = parts.hostname or "localhost"
    port = parts.port or {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[scheme]
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    timeout = current_app.config.get("AVIS_SMTP_TIMEOUT", 10)

    def send(message: QueuedMail) -> None:
        email = _email(message)
        if scheme == "smtps":
            client = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if user:
                client.login(user, password or "")
            client.send_message(email)

    return send


def _file_sender(folder: Path):
    def send(message: QueuedMail) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / mail_file_name(message.id)
        path.write_bytes(bytes(_email(message)))

    return send


def deliver_queued(limit: int = 50) -> tuple[int, int]:
    """Send what waits in the queue; return (sent, failed). Never raises for a transport
    failure: the messages stay queued and are retried.

    Called by ``avis mail send`` (a timer, see deploy/), never by a request: each message
    is sent outside any transaction and marked sent as soon as the server accepted it
    (``surveys.outbox.deliver_pending``)."""
    url = current_app.config.get("AVIS_SMTP_URL")
    send = _smtp_sender(url) if url else _file_sender(mail_folder())
    session = session_factory()()
    try:
        sent, failed = deliver_pending(session, send, limit=limit)
    finally:
        session.close()
    if failed:
        log.warning("mail: %d message(s) could not be sent, kept in the queue", failed)
    return sent, failed
