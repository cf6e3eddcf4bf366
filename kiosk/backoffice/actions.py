"""Back office: the register of action plans, per site and year. The quality mission
writes them; agents and viewers read the actions of their scope (an agent of a service,
that service's)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from surveys import DomainError
from surveys.actions import ActionInput, create_action, site_actions, update_action
from surveys.bounds import parse_day, parse_int
from surveys.calendar import local_today
from surveys.models import ACTION_STATUSES, Action, Criterion, ReclamationCategory, Site
from surveys.users import can_see, user_scope

from ..auth.access import role_required
from ..db import get_session
from ..params import year_arg
from ..reclamation_forms import CsrfOnlyForm
from . import bp
from .admin_common import audit, error_text, site_visible

READERS = ("admin", "quality", "agent", "viewer")
EDITORS = ("admin", "quality")

STATUS_LABELS = {
    "prevue": _l("prévue"),
    "en_cours": _l("en cours"),
    "realisee": _l("réalisée"),
    "abandonnee": _l("abandonnée"),
}


def _visible_sites(db) -> list[Site]:
    return [
        site
        for site in db.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.name))
        if site_visible(site.id)
    ]


def _input(form, site: Site) -> ActionInput:
    """Read the action form; raise DomainError for a field that cannot be read."""
    due_text = form.get("due_on", "").strip()
    due_on = parse_day(due_text, "due_on") if due_text else None
    service_text = form.get("service_id", "").strip()
    try:
        service_id = parse_int(service_text, "service_id") if service_text else None
    except DomainError:
        raise DomainError("not a service id", "service_id", "unknown_service") from None
    try:
        year = parse_int(form.get("year", ""), "year")  # its range is the plan's rule
    except DomainError:
        raise DomainError("not a year", "year", "range") from None
    return ActionInput(
        site_id=site.id,
        year=year,
        title=form.get("title", ""),
        service_id=service_id,
        detail=form.get("detail"),
        owner=form.get("owner"),
        due_on=due_on,
        status=form.get("status", "prevue"),
        criteria=form.getlist("criteria"),
        categories=form.getlist("categories"),
    )


def _choices(db) -> dict:
    return {
        "statuses": [(code, STATUS_LABELS[code]) for code in ACTION_STATUSES],
        "criteria": db.scalars(select(Criterion).where(Criterion.active.is_(True))).all(),
        "categories": db.scalars(
            select(ReclamationCategory)
            .where(ReclamationCategory.active.is_(True))
            .order_by(ReclamationCategory.position)
        ).all(),
    }


def _readable(action: Action) -> bool:
    return can_see(current_user, action.site_id, action.service_id)


@bp.route("/actions", methods=["GET", "POST"])
@role_required(*READERS)
def actions():
    db = get_session()
    sites = _visible_sites(db)
    if not sites:
        abort(404)
    site = next((s for s in sites if s.code == request.values.get("site")), sites[0])
    year = year_arg(local_today(site.timezone).year)
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    values: dict = {"year": str(year)}
    chosen: dict = {"criteria": set(), "categories": set()}
    if request.method == "POST":
        if current_user.role not in EDITORS:
            abort(403)
        values = request.form
        chosen = {key: set(request.form.getlist(key)) for key in chosen}
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer le formulaire.")
        else:
            try:
                action = create_action(db, _input(request.form, site), local_today(site.timezone))
            except DomainError as error:
                db.rollback()
                errors[error.field or "form"] = error_text(error)
            else:
                audit(db, "action.create", "action", action.id, f"site={site.code}")
                db.commit()
                flash(_("Action ajoutée au plan %(year)s.", year=action.year), "success")
                return redirect(
                    url_for("backoffice.actions", site=site.code, year=action.year), code=303
                )
    services = user_scope(current_user).services_of(site.id)
    plans = {
        plan_year: site_actions(db, [site.id], [plan_year], services)
        for plan_year in (year, year + 1)
    }
    return render_template(
        "backoffice/actions/register.html",
        form=form,
        site=site,
        sites=sites,
        year=year,
        plans=plans,
        errors=errors,
        values=values,
        chosen=chosen,
        status_labels=STATUS_LABELS,
        can_edit=current_user.role in EDITORS,
        **_choices(db),
    ), (400 if errors else 200)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@role_required(*READERS)
def action_detail(action_id: int):
    db = get_session()
    action = db.get(Action, action_id)
    if action is None or not _readable(action):
        abort(404)
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    values: dict = {
        "year": str(action.year),
        "title": action.title,
        "detail": action.detail or "",
        "owner": action.owner or "",
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "status": action.status,
        "service_id": str(action.service_id or ""),
    }
    chosen = {
        "criteria": set(action.answers.get("criteria", [])),
        "categories": set(action.answers.get("categories", [])),
    }
    if request.method == "POST":
        if current_user.role not in EDITORS:
            abort(403)
        values = request.form
        chosen = {key: set(request.form.getlist(key)) for key in ("criteria", "categories")}
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer le formulaire.")
        else:
            today = local_today(action.site.timezone)
            try:
                given = _input(request.form, action.site)
                # The comments an action was born from are kept as they were.
                given.comments = list(action.answers.get("comments", []))
                changed = update_action(db, action, given, today)
            except DomainError as error:
                db.rollback()
                errors[error.field or "form"] = error_text(error)
            else:
                if changed:
                    detail = "fields=" + ",".join(changed)
                    if "status" in changed:
                        detail += f" status={action.status}"
                    audit(db, "action.update", "action", action.id, detail)
                db.commit()
                flash(_("Action enregistrée."), "success")
                return redirect(
                    url_for("backoffice.actions", site=action.site.code, year=action.year),
                    code=303,
                )
    return render_template(
        "backoffice/actions/detail.html",
        form=form,
        action=action,
        errors=errors,
        values=values,
        chosen=chosen,
        status_labels=STATUS_LABELS,
        can_edit=current_user.role in EDITORS,
        **_choices(db),
    ), (400 if errors else 200)
