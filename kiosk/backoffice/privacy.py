"""Back office: the usager's rights (GDPR). Find what is held about a person by email
address or reference, export it (right of access) and erase their contact details (right
to erasure). The search goes by POST so that an address never appears in a URL or an
access log; the audit log records counts, never the address."""

from __future__ import annotations

import json

from flask import Response, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from surveys import audit
from surveys.privacy import erase_contact, export_person, find_person, forget_copies
from surveys.reclamation_queries import user_may_see
from surveys.reclamations import note_event

from ..auth.access import role_required
from ..db import get_read_session, get_session
from ..mail import mail_folder
from ..reclamation_forms import CsrfOnlyForm
from . import bp

PRIVACY_ROLES = ("admin", "quality")


def _found(session, query: str):
    return [rec for rec in find_person(session, query) if user_may_see(current_user, rec)]


@bp.route("/donnees-personnelles", methods=["GET", "POST"])
@role_required(*PRIVACY_ROLES)
def privacy():
    session = get_session()
    form = CsrfOnlyForm()
    query = ""
    found = None
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("La page a expiré. Merci de recommencer."), "error")
            return render_template("backoffice/privacy.html", form=form, query="", found=None), 400
        query = request.form.get("q", "").strip()[:320]
        action = request.form.get("action", "search")
        found = _found(session, query)
        if action == "export" and found:
            data = export_person(session, found)
            for rec in found:
                note_event(session, rec, "exported", current_user.id)
            audit.record(
                session, current_user, "privacy.export", "reclamation", None, f"count={len(found)}"
            )
            session.commit()
            body = json.dumps(data, ensure_ascii=False, indent=2)
            return Response(
                body,
                mimetype="application/json",
                headers={
                    "Content-Disposition": 'attachment; filename="avis-donnees-personnelles.json"',
                    "Cache-Control": "no-store",
                },
            )
        if action == "erase" and found:
            if request.form.get("confirm") != "yes":
                flash(_("Cochez la case de confirmation pour effacer les coordonnées."), "error")
            else:
                erased = sum(erase_contact(session, rec, current_user.id) for rec in found)
                audit.record(
                    session, current_user, "privacy.erase", "reclamation", None, f"count={erased}"
                )
                session.commit()
                # This request's own read (who is calling) would keep SQLite's log from
                # being cut: end it (its objects stay loaded).
                get_read_session().commit()
                forget_copies(session, mail_folder())
                flash(
                    _(
                        "Coordonnées effacées pour %(count)s message(s) ; les messages restent "
                        "dans les statistiques.",
                        count=erased,
                    ),
                    "success",
                )
        else:
            audit.record(
                session, current_user, "privacy.search", "reclamation", None, f"found={len(found)}"
            )
            session.commit()
    response = render_template("backoffice/privacy.html", form=form, query=query, found=found)
    return response, 200, {"Cache-Control": "no-store"}
