"""Administration of criteria (labels per language) and versioned questionnaires."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from surveys import DomainError
from surveys.calendar import local_today
from surveys.models import Criterion, Questionnaire, Response
from surveys.questionnaires import (
    create_criterion,
    create_questionnaire,
    edit_questionnaire,
    has_responses,
    missing_languages,
    publish_questionnaire,
    update_criterion,
)

from ..auth.access import role_required
from ..db import get_session
from . import bp
from .admin_common import audit, get_or_404, language_names, show_error
from .admin_forms import CriterionForm, PublishForm, labels_of, questionnaire_form

CONFIGURERS = ("admin", "quality")


def _criteria(db):
    return db.scalars(select(Criterion).order_by(Criterion.id)).all()


def _ordered_ids(form, criteria) -> list[int]:
    positions = []
    for criterion in criteria:
        value = getattr(form, f"pos_{criterion.id}").data
        if value:
            positions.append((value, criterion.id))
    return [cid for _pos, cid in sorted(positions)]


@bp.route("/admin/questionnaires", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_questionnaires():
    db = get_session()
    criteria = _criteria(db)
    form = questionnaire_form([c for c in criteria if c.active], prefix="new")
    if form.validate_on_submit():
        try:
            questionnaire = create_questionnaire(
                db,
                code=form.code.data,
                titles=labels_of(form, "title"),
                criterion_ids=_ordered_ids(form, [c for c in criteria if c.active]),
                satisfied_threshold=form.satisfied_threshold.data,
            )
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "questionnaire.create", "questionnaire", questionnaire.id)
            db.commit()
            flash(_("Questionnaire créé."), "info")
            return redirect(url_for("backoffice.admin_questionnaires"))
    counts = dict(
        db.execute(
            select(Response.questionnaire_id, func.count()).group_by(Response.questionnaire_id)
        ).all()
    )
    questionnaires = db.scalars(
        select(Questionnaire).order_by(Questionnaire.code, Questionnaire.version.desc())
    ).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/questionnaires.html",
        questionnaires=questionnaires,
        counts=counts,
        criteria=criteria,
        form=form,
        criterion_form=CriterionForm(prefix="criterion"),
    ), status


@bp.route("/admin/questionnaires/<int:questionnaire_id>", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_questionnaire(questionnaire_id: int):
    db = get_session()
    questionnaire = get_or_404(db, Questionnaire, questionnaire_id)
    criteria = [c for c in _criteria(db) if c.active or c.id in _item_ids(questionnaire)]
    form = questionnaire_form(criteria, prefix="q")
    del form.code
    if not form.is_submitted():
        _fill_edit_form(form, questionnaire)
    elif form.validate_on_submit():
        try:
            result = edit_questionnaire(
                db,
                questionnaire,
                titles=labels_of(form, "title"),
                criterion_ids=_ordered_ids(form, criteria),
                satisfied_threshold=form.satisfied_threshold.data,
            )
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            if result.id != questionnaire.id:
                audit(
                    db,
                    "questionnaire.new_version",
                    "questionnaire",
                    result.id,
                    f"from={questionnaire.id} version={result.version}",
                )
                flash(
                    _(
                        "Ce questionnaire a déjà des réponses : la version %(v)s a été créée, "
                        "en brouillon. Les usagers la verront une fois publiée, ici ou par "
                        "une campagne qui la choisit.",
                        v=result.version,
                    ),
                    "info",
                )
            else:
                audit(db, "questionnaire.update", "questionnaire", result.id)
                flash(_("Questionnaire enregistré."), "info")
            db.commit()
            return redirect(url_for("backoffice.admin_questionnaire", questionnaire_id=result.id))
    return _questionnaire_page(db, questionnaire, criteria, form, PublishForm(prefix="publish"))


def _questionnaire_page(db, questionnaire, criteria, form, publish_form):
    failed = form.errors or form.form_errors or publish_form.errors or publish_form.form_errors
    if publish_form.published_on.data is None and not publish_form.errors:
        publish_form.published_on.data = local_today()
    missing = missing_languages(questionnaire)
    return render_template(
        "backoffice/admin/questionnaire.html",
        questionnaire=questionnaire,
        frozen=has_responses(db, questionnaire),
        criteria=criteria,
        form=form,
        publish_form=publish_form,
        # A draft, or a version whose day of publication may still be brought forward.
        can_publish=questionnaire.is_draft or questionnaire.published_on > local_today(),
        missing=language_names(missing) if missing else "",
    ), (400 if failed else 200)


@bp.post("/admin/questionnaires/<int:questionnaire_id>/publish")
@role_required(*CONFIGURERS)
def admin_questionnaire_publish(questionnaire_id: int):
    db = get_session()
    questionnaire = get_or_404(db, Questionnaire, questionnaire_id)
    publish_form = PublishForm(prefix="publish")
    if publish_form.validate_on_submit():
        try:
            changed = publish_questionnaire(
                questionnaire,
                publish_form.published_on.data,
                french_fallback=publish_form.french_fallback.data,
            )
        except DomainError as error:
            db.rollback()
            show_error(publish_form, error, "published_on")
        else:
            if changed:
                detail = f"from={questionnaire.published_on.isoformat()}"
                if publish_form.french_fallback.data and missing_languages(questionnaire):
                    detail += " french_fallback"
                audit(db, "questionnaire.publish", "questionnaire", questionnaire.id, detail)
            db.commit()
            flash(
                _(
                    "Version %(v)s en service à partir du %(date)s.",
                    v=questionnaire.version,
                    date=format_date(questionnaire.published_on, "long"),
                ),
                "info",
            )
            return redirect(
                url_for("backoffice.admin_questionnaire", questionnaire_id=questionnaire.id)
            )
    criteria = [c for c in _criteria(db) if c.active or c.id in _item_ids(questionnaire)]
    form = questionnaire_form(criteria, prefix="q")
    del form.code
    _fill_edit_form(form, questionnaire)
    return _questionnaire_page(db, questionnaire, criteria, form, publish_form)


def _fill_edit_form(form, questionnaire: Questionnaire) -> None:
    form.satisfied_threshold.data = questionnaire.satisfied_threshold
    for language, text in questionnaire.titles.items():
        if hasattr(form, f"title_{language}"):
            getattr(form, f"title_{language}").data = text
    for number, item in enumerate(questionnaire.items, start=1):
        getattr(form, f"pos_{item.criterion_id}").data = number


def _item_ids(questionnaire: Questionnaire) -> set[int]:
    return {item.criterion_id for item in questionnaire.items}


@bp.post("/admin/criteria")
@role_required(*CONFIGURERS)
def admin_criterion_create():
    db = get_session()
    form = CriterionForm(prefix="criterion")
    if form.validate_on_submit():
        try:
            criterion = create_criterion(db, code=form.code.data, labels=labels_of(form, "label"))
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "criterion.create", "criterion", criterion.id)
            db.commit()
            flash(_("Critère créé."), "info")
            return redirect(url_for("backoffice.admin_criterion", criterion_id=criterion.id))
    return render_template("backoffice/admin/criterion.html", criterion=None, form=form), 400


@bp.route("/admin/criteria/<int:criterion_id>", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_criterion(criterion_id: int):
    db = get_session()
    criterion = get_or_404(db, Criterion, criterion_id)
    form = CriterionForm(prefix="criterion")
    del form.code
    if not form.is_submitted():
        form.active.data = criterion.active
        for language, text in criterion.labels.items():
            if hasattr(form, f"label_{language}"):
                getattr(form, f"label_{language}").data = text
    elif form.validate_on_submit():
        try:
            update_criterion(criterion, labels=labels_of(form, "label"), active=form.active.data)
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "criterion.update", "criterion", criterion.id)
            db.commit()
            flash(_("Critère enregistré."), "info")
            return redirect(url_for("backoffice.admin_questionnaires"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/criterion.html", criterion=criterion, form=form
    ), status
