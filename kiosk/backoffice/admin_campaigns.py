"""Administration of campaigns: period, questionnaire, scope and targets."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from surveys import DomainError
from surveys.campaigns import save_campaign
from surveys.models import Campaign, Criterion, Questionnaire, Service, Site

from ..auth.access import role_required
from ..db import get_session
from . import bp
from .admin_common import (
    audit,
    get_or_404,
    parse_scopes,
    scope_choices,
    scope_values,
    show_error,
    ui_language,
)
from .admin_forms import CampaignForm

CONFIGURERS = ("admin", "quality")


def _questionnaire_label(q: Questionnaire) -> str:
    if q.is_draft:
        return _(
            "%(title)s (%(code)s v%(v)s, brouillon)",
            title=q.title(ui_language()),
            code=q.code,
            v=q.version,
        )
    return f"{q.title(ui_language())} ({q.code} v{q.version})"


def _form(db, campaign: Campaign | None) -> CampaignForm:
    form = CampaignForm(prefix="campaign", obj=campaign if request.method == "GET" else None)
    questionnaires = db.scalars(
        select(Questionnaire).order_by(
            Questionnaire.is_default.desc(), Questionnaire.code, Questionnaire.version.desc()
        )
    ).all()
    # Newest version of each questionnaire first; the default one's newest is proposed.
    form.questionnaire.choices = [
        SelectChoice(q.id, _questionnaire_label(q)) for q in questionnaires
    ]
    if campaign is None and request.method == "GET" and questionnaires:
        form.questionnaire.data = questionnaires[0].id
    form.scopes.choices = scope_choices(db)
    if campaign is not None and request.method == "GET":
        form.questionnaire.data = campaign.questionnaire_id
        form.target_rate.data = round(campaign.target_rate * 100)
        form.scopes.data = scope_values(campaign.scopes)
    return form


def _targets_from_request(db) -> dict[int, float]:
    targets = {}
    for criterion in db.scalars(select(Criterion)):
        raw = (request.form.get(f"target_{criterion.id}") or "").strip()
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            raise DomainError("not a number", field="targets", code="range") from None
        targets[criterion.id] = value / 100
    return targets


def _save(db, form: CampaignForm, campaign: Campaign | None):
    try:
        saved = save_campaign(
            db,
            campaign,
            code=form.code.data,
            name=form.name.data,
            questionnaire_id=form.questionnaire.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            target_n=form.target_n.data,
            target_rate=form.target_rate.data / 100,
            scopes=parse_scopes(form.scopes.data),
            targets=_targets_from_request(db),
            french_fallback=form.french_fallback.data,
        )
    except DomainError as error:
        db.rollback()
        show_error(form, error, "questionnaire" if error.field == "languages" else None)
        return None
    audit(db, "campaign.update" if campaign else "campaign.create", "campaign", saved.id)
    db.commit()
    flash(_("Campagne enregistrée."), "info")
    return redirect(url_for("backoffice.admin_campaign", campaign_id=saved.id))


def _scope_names(db, campaigns) -> dict[int, list[str]]:
    """Campaign id -> the names of its sites and services, as people read them."""
    sites = dict(db.execute(select(Site.id, Site.name)).all())
    services = dict(db.execute(select(Service.id, Service.name)).all())
    names = {}
    for campaign in campaigns:
        names[campaign.id] = sorted(
            _("%(site)s — tous les services", site=sites.get(s.site_id, "?"))
            if s.service_id is None
            else f"{sites.get(s.site_id, '?')} — {services.get(s.service_id, '?')}"
            for s in campaign.scopes
        )
    return names


@bp.route("/admin/campaigns", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_campaigns():
    db = get_session()
    form = _form(db, None)
    if form.validate_on_submit():
        done = _save(db, form, None)
        if done:
            return done
    campaigns = db.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/campaigns.html",
        campaigns=campaigns,
        places=_scope_names(db, campaigns),
        form=form,
        campaign=None,
        criteria=db.scalars(select(Criterion).where(Criterion.active.is_(True))).all(),
        targets={},
    ), status


@bp.route("/admin/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_campaign(campaign_id: int):
    db = get_session()
    campaign = get_or_404(db, Campaign, campaign_id)
    form = _form(db, campaign)
    if form.validate_on_submit():
        done = _save(db, form, campaign)
        if done:
            return done
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/campaign.html",
        campaign=campaign,
        form=form,
        criteria=db.scalars(select(Criterion).where(Criterion.active.is_(True))).all(),
        targets={t.criterion_id: round(t.target_rate * 100) for t in campaign.targets},
    ), status
