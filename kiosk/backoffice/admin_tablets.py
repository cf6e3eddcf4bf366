"""Administration of tablets: enrol (one-time code and QR code), rename, move, revoke; when
each was last seen, how many responses it sent today, and over the last week the responses
kept but marked and the submissions refused."""

from __future__ import annotations

import base64
import io
from datetime import datetime, time, timedelta

import qrcode
import qrcode.image.svg
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from surveys import DomainError
from surveys.calendar import local_today
from surveys.models import Response, Service, Tablet, utcnow
from surveys.tablets import (
    move_tablet,
    new_enrolment_code,
    register_tablet,
    rename_tablet,
    revoke_tablet,
    tablet_anomalies,
)

from ..auth.access import role_required
from ..db import get_session
from . import bp
from .admin_common import PARIS, audit, error_text, get_or_404, service_choices
from .admin_forms import NewTabletForm, TabletForm

CONFIGURERS = ("admin", "quality")
ANOMALY_DAYS = 7  # the tablets page shows the marked and refused responses of this week


def enrolment_url(code: str) -> str:
    """Return the address a tablet opens once to enrol with ``code``."""
    base = current_app.config["AVIS_BASE_URL"]
    try:
        return base + url_for("tablet.enrol", code=code)
    except BuildError:
        return base + "/kiosk/enrol?code=" + code


def qr_data_uri(text: str) -> str:
    """Return an SVG QR code of ``text`` as a data: URI (allowed by the CSP)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _today_counts(db) -> dict[int, int]:
    start = datetime.combine(local_today(), time.min, tzinfo=PARIS)
    return dict(
        db.execute(
            select(Response.tablet_id, func.count())
            .where(Response.tablet_id.is_not(None), Response.submitted_at >= start)
            .group_by(Response.tablet_id)
        ).all()
    )


def _page(db, form: NewTabletForm, enrolled: tuple[Tablet, str] | None = None, status: int = 200):
    tablets = db.scalars(select(Tablet).order_by(Tablet.revoked_at.is_not(None), Tablet.name)).all()
    choices = service_choices(db)
    form.service.choices = choices
    forms = {}
    for tablet in tablets:
        tablet_form = TabletForm(prefix=f"t{tablet.id}", formdata=None)
        tablet_form.name.data = tablet.name
        tablet_form.service.choices = choices
        tablet_form.service.data = tablet.service_id
        forms[tablet.id] = tablet_form
    enrolment = None
    if enrolled:
        url = enrolment_url(enrolled[1])
        enrolment = {"tablet": enrolled[0], "url": url, "qr": qr_data_uri(url)}
    return render_template(
        "backoffice/admin/tablets.html",
        tablets=tablets,
        forms=forms,
        form=form,
        today=_today_counts(db),
        anomalies=tablet_anomalies(db, utcnow() - timedelta(days=ANOMALY_DAYS)),
        anomaly_days=ANOMALY_DAYS,
        enrolment=enrolment,
        minutes=current_app.config["AVIS_ENROLMENT_MINUTES"],
    ), status


@bp.route("/admin/tablets", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_tablets():
    db = get_session()
    form = NewTabletForm(prefix="enrol")
    form.service.choices = service_choices(db)
    if form.validate_on_submit():
        service = get_or_404(db, Service, form.service.data)
        tablet, code = register_tablet(
            db, service, form.name.data, current_app.config["AVIS_ENROLMENT_MINUTES"]
        )
        audit(db, "tablet.register", "tablet", tablet.id)
        db.commit()
        # The code is shown once, on this very response (no-store), never stored in clear.
        return _page(db, NewTabletForm(prefix="enrol", formdata=None), (tablet, code))
    return _page(db, form, status=400 if form.errors else 200)


@bp.post("/admin/tablets/<int:tablet_id>")
@role_required(*CONFIGURERS)
def admin_tablet(tablet_id: int):
    db = get_session()
    tablet = get_or_404(db, Tablet, tablet_id)
    form = TabletForm(prefix=f"t{tablet.id}")
    form.service.choices = service_choices(db)
    enrol_form = NewTabletForm(prefix="enrol", formdata=None)
    enrol_form.service.choices = form.service.choices
    if not form.validate_on_submit():
        flash(_("Action impossible : formulaire incomplet."), "error")
        return _page(db, enrol_form, status=400)
    action = form.action.data
    try:
        if action == "rename":
            rename_tablet(tablet, form.name.data or "")
        elif action == "move":
            move_tablet(tablet, get_or_404(db, Service, form.service.data))
        elif action == "revoke":
            revoke_tablet(tablet)
        elif action == "reenrol" and tablet.revoked_at is None:
            code = new_enrolment_code(db, tablet, current_app.config["AVIS_ENROLMENT_MINUTES"])
            audit(db, "tablet.reenrol", "tablet", tablet.id)
            db.commit()
            return _page(db, enrol_form, (tablet, code))
        else:
            raise DomainError("unknown action", field="action", code="invalid")
    except DomainError as error:
        db.rollback()
        flash(error_text(error), "error")
        return _page(db, enrol_form, status=400)
    audit(db, f"tablet.{action}", "tablet", tablet.id)
    db.commit()
    flash(_("Tablette « %(name)s » mise à jour.", name=tablet.name), "info")
    return redirect(url_for("backoffice.admin_tablets"))
