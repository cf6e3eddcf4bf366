"""Administration of sites (with their département) and their services."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from surveys import DomainError
from surveys.models import Service, Site
from surveys.sites import create_service, create_site, update_service, update_site

from ..auth.access import role_required
from ..db import get_session
from . import bp
from .admin_common import audit, get_or_404, show_error
from .admin_forms import ServiceForm, SiteForm

CONFIGURERS = ("admin", "quality")


@bp.route("/admin/sites", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_sites():
    db = get_session()
    form = SiteForm(prefix="new")
    if form.validate_on_submit():
        try:
            site = create_site(
                db,
                code=form.code.data,
                name=form.name.data,
                departement=form.departement.data,
                timezone=form.timezone.data,
                official_title=form.official_title.data,
            )
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "site.create", "site", site.id)
            db.commit()
            flash(_("Site « %(name)s » créé.", name=site.name), "info")
            return redirect(url_for("backoffice.admin_site", site_id=site.id))
    sites = db.scalars(select(Site).order_by(Site.name)).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("backoffice/admin/sites.html", sites=sites, form=form), status


@bp.route("/admin/sites/<int:site_id>", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_site(site_id: int):
    db = get_session()
    site = get_or_404(db, Site, site_id)
    form = SiteForm(prefix="site", obj=site)
    del form.code
    service_form = ServiceForm(prefix="service")
    if form.submit.data and form.validate_on_submit():
        try:
            update_site(
                site,
                name=form.name.data,
                departement=form.departement.data,
                timezone=form.timezone.data,
                active=form.active.data,
                official_title=form.official_title.data,
            )
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "site.update", "site", site.id)
            db.commit()
            flash(_("Site enregistré."), "info")
            return redirect(url_for("backoffice.admin_site", site_id=site.id))
    elif service_form.submit.data and service_form.validate_on_submit():
        try:
            service = create_service(
                db, site, code=service_form.code.data, name=service_form.name.data
            )
        except DomainError as error:
            db.rollback()
            show_error(service_form, error)
        else:
            audit(db, "service.create", "service", service.id)
            db.commit()
            flash(_("Service « %(name)s » créé.", name=service.name), "info")
            return redirect(url_for("backoffice.admin_site", site_id=site.id))
    failed = form.errors or form.form_errors or service_form.errors or service_form.form_errors
    return render_template(
        "backoffice/admin/site.html", site=site, form=form, service_form=service_form
    ), (400 if failed else 200)


@bp.route("/admin/services/<int:service_id>", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_service(service_id: int):
    db = get_session()
    service = get_or_404(db, Service, service_id)
    form = ServiceForm(obj=service)
    del form.code
    if form.validate_on_submit():
        try:
            update_service(service, name=form.name.data, active=form.active.data)
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "service.update", "service", service.id)
            db.commit()
            flash(_("Service enregistré."), "info")
            return redirect(url_for("backoffice.admin_site", site_id=service.site_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("backoffice/admin/service.html", service=service, form=form), status
