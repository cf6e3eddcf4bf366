"""Back office: the réclamation inbox of each user (their scope only, overdue first),
a réclamation's page, and its workflow: assign to a service, record the reply (sent by
email when the usager gave one and the reply goes by courriel), close."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from surveys import DomainError, audit
from surveys.bounds import parse_day
from surveys.calendar import local_today
from surveys.models import (
    RECLAMATION_KINDS,
    RECLAMATION_STATUSES,
    REPLY_CHANNELS,
    Reclamation,
    Service,
    Site,
    User,
)
from surveys.reclamation_queries import INBOX_LIMIT, is_overdue, user_may_see
from surveys.reclamation_queries import inbox as inbox_rows
from surveys.reclamations import (
    assign,
    close,
    expects_reply,
    note_event,
    parse_reply_days,
    record_reply,
    site_today,
    working_days_left,
)
from surveys.reply_templates import fill_template, templates_for, use_template

from ..auth.access import require_scope, role_required
from ..db import get_read_session, get_session
from ..mail import mail_folder, queue_reply, smtp_configured
from ..params import int_arg
from ..reclamation_forms import CsrfOnlyForm
from . import bp
from .admin_common import STAFF, error_text, site_visible

STATUS_LABELS = {
    "new": _l("nouvelle"),
    "assigned": _l("attribuée"),
    "answered": _l("répondue"),
    "closed": _l("close"),
}
KIND_LABELS = {
    "suggestion": _l("suggestion"),
    "reclamation": _l("réclamation"),
    "remerciement": _l("remerciement"),
}
CHANNEL_LABELS = {
    "kiosk": _l("tablette"),
    "web": _l("site internet"),
    "qr": _l("QR code"),
    "courriel": _l("courriel"),
    "courrier": _l("courrier"),
    "urne": _l("urne"),
    "telephone": _l("téléphone"),
    "services_publics_plus": _l("Services Publics+"),
    "guichet": _l("au guichet"),
}
ACTION_LABELS = {
    "received": _l("reçue"),
    "assigned": _l("attribuée"),
    "answered": _l("réponse enregistrée"),
    "closed": _l("close"),
    "mail_queued": _l("courriel envoyé à l'usager"),
    "contact_erased": _l("coordonnées effacées"),
    "contact_purged": _l("coordonnées effacées (durée de conservation)"),
    "exported": _l("données exportées"),
}


@bp.record_once
def _check_reply_days(state) -> None:
    # A malformed AVIS_REPLY_DAYS stops the start-up, rather than every réclamation later.
    parse_reply_days(state.app.config.get("AVIS_REPLY_DAYS"))


@bp.app_context_processor
def reclamation_labels() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "action_labels": ACTION_LABELS,
    }


def _load(rec_id: int, session=None) -> Reclamation:
    """Return the réclamation if the user may see it; 404 (and a log line) otherwise."""
    rec = (session or get_session()).get(Reclamation, rec_id)
    if rec is None:
        abort(404)
    if not user_may_see(current_user, rec):
        require_scope(rec.site_id, rec.service_id, what="reclamation", object_id=rec_id)
    return rec


def mail_notice() -> str | None:
    """Return the notice shown when emails go to files rather than to an SMTP server."""
    if smtp_configured():
        return None
    if current_user.role != "admin":  # a server path means nothing to the others
        return _(
            "Aucun serveur de messagerie n'est configuré : les courriels aux usagers ne "
            "partent pas. Prévenez l'administrateur d'Avis."
        )
    return _(
        "Aucun serveur de messagerie n'est configuré (AVIS_SMTP_URL) : les courriels aux "
        "usagers ne partent pas, ils sont écrits dans le dossier %(folder)s.",
        folder=str(mail_folder()),
    )


@bp.get("/reclamations")
@role_required(*STAFF)
def inbox():
    session = get_read_session()
    status = request.args.get("status", "open")
    if status not in ("open", "all", *RECLAMATION_STATUSES):
        status = "open"
    kind = request.args.get("kind") if request.args.get("kind") in RECLAMATION_KINDS else None
    site_id = int_arg("site")
    today = local_today()
    rows = inbox_rows(session, current_user, today, status=status, site_id=site_id, kind=kind)
    items = [
        {
            "rec": rec,
            "overdue": is_overdue(rec, site_today(rec.site)),
            "days_left": working_days_left(rec, site_today(rec.site)),
            "expects": expects_reply(rec),
        }
        for rec in rows
    ]
    sites = session.scalars(select(Site).order_by(Site.name)).all()
    sites = [s for s in sites if site_visible(s.id)]
    return render_template(
        "backoffice/reclamations/inbox.html",
        items=items,
        status=status,
        kind=kind,
        site_id=site_id,
        sites=sites,
        mail_notice=mail_notice(),
        limit=INBOX_LIMIT,
    )


@bp.get("/reclamations/<int:rec_id>")
@role_required(*STAFF)
def reclamation(rec_id: int):
    session = get_session()
    rec = _load(rec_id, session)
    today = site_today(rec.site)
    users = {u.id: u.name for u in session.scalars(select(User))}
    services = session.scalars(
        select(Service)
        .where(Service.site_id == rec.site_id, Service.active.is_(True))
        .order_by(Service.name)
    ).all()
    templates = templates_for(session, rec) if rec.status not in ("answered", "closed") else []
    template_id = int_arg("template")
    chosen = next((t for t in templates if t.id == template_id), None)
    return render_template(
        "backoffice/reclamations/detail.html",
        rec=rec,
        reply_templates=templates,
        chosen_template=chosen,
        prefill=fill_template(chosen, rec) if chosen else "",
        form=CsrfOnlyForm(),
        users=users,
        services=services,
        reply_channels=REPLY_CHANNELS,
        today=today,
        overdue=is_overdue(rec, today),
        expects=expects_reply(rec),
        days_left=working_days_left(rec, today),
        mail_notice=mail_notice(),
        errors=request.args.get("error"),
    )


def _checked_form() -> None:
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)


def _back(rec_id: int):
    return redirect(url_for("backoffice.reclamation", rec_id=rec_id), code=303)


@bp.post("/reclamations/<int:rec_id>/assign")
@role_required(*STAFF)
def reclamation_assign(rec_id: int):
    _checked_form()
    session = get_session()
    rec = _load(rec_id, session)
    try:
        assign(session, rec, int_arg("service_id", values=request.form) or 0, current_user.id)
    except DomainError as failure:
        session.rollback()
        flash(_("Attribution impossible : %(reason)s", reason=error_text(failure)), "error")
        return _back(rec_id)
    audit.record(session, current_user, "reclamation.assign", "reclamation", rec.reference)
    session.commit()
    flash(_("Réclamation attribuée."), "success")
    return _back(rec_id)


@bp.post("/reclamations/<int:rec_id>/reply")
@role_required(*STAFF)
def reclamation_reply(rec_id: int):
    _checked_form()
    session = get_session()
    rec = _load(rec_id, session)
    try:
        answered_on = parse_day(request.form.get("answered_on", ""), "answered_on")
    except DomainError:
        flash(_("Indiquez la date de la réponse."), "error")
        return _back(rec_id)
    template_id = int_arg("template_id", values=request.form)
    try:
        use_template(
            session,
            rec,
            template_id,
            request.form.get("reply_text", ""),
            confirmed=request.form.get("confirm_template") == "yes",
        )
        record_reply(
            session,
            rec,
            text=request.form.get("reply_text", ""),
            channel=request.form.get("reply_channel", ""),
            answered_on=answered_on,
            user_id=current_user.id,
        )
        mailed = queue_reply(session, rec)
        if mailed is not None:
            note_event(session, rec, "mail_queued", current_user.id, "reply")
    except DomainError as failure:
        session.rollback()
        if failure.code == "unchanged_template":
            flash(
                _(
                    "Réponse non enregistrée : c'est la réponse-type telle quelle. "
                    "Personnalisez-la, ou cochez la case pour l'envoyer sans la modifier."
                ),
                "error",
            )
            return redirect(
                url_for("backoffice.reclamation", rec_id=rec_id, template=template_id), code=303
            )
        flash(_("Réponse non enregistrée : %(reason)s", reason=error_text(failure)), "error")
        return _back(rec_id)
    audit.record(session, current_user, "reclamation.reply", "reclamation", rec.reference)
    session.commit()
    if mailed is not None:
        # The queue is delivered by ``avis mail send`` (a timer), never inside a request.
        flash(
            _("Réponse enregistrée ; le courriel à l'usager part dans les prochaines minutes."),
            "success",
        )
    else:
        flash(_("Réponse enregistrée."), "success")
    return _back(rec_id)


@bp.post("/reclamations/<int:rec_id>/close")
@role_required(*STAFF)
def reclamation_close(rec_id: int):
    _checked_form()
    session = get_session()
    rec = _load(rec_id, session)
    try:
        close(session, rec, current_user.id)
    except DomainError as failure:
        session.rollback()
        flash(error_text(failure), "error")
        return _back(rec_id)
    audit.record(session, current_user, "reclamation.close", "reclamation", rec.reference)
    session.commit()
    flash(_("Réclamation close."), "success")
    current_app.logger.info("reclamation %s closed by user %s", rec.reference, current_user.id)
    return _back(rec_id)
