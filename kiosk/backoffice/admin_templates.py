"""Administration of the réponses-types (per category and service, per language)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from surveys import DomainError
from surveys.languages import USAGER_LANGUAGES
from surveys.models import ReclamationCategory, ReplyTemplate
from surveys.reply_templates import save_template, template_usage

from ..auth.access import role_required
from ..db import get_session
from . import bp
from .admin_common import audit, get_or_404, service_choices, show_error, ui_language
from .admin_forms import ReplyTemplateForm

CONFIGURERS = ("admin", "quality")


def _form(db, template: ReplyTemplate | None) -> ReplyTemplateForm:
    form = ReplyTemplateForm(prefix="template")
    language = ui_language()
    categories = db.scalars(
        select(ReclamationCategory).order_by(ReclamationCategory.position)
    ).all()
    form.category.choices = [SelectChoice("", _("Tous les sujets"))] + [
        SelectChoice(str(c.id), c.label(language)) for c in categories
    ]
    form.service.choices = [SelectChoice("", _("Tous les services"))] + [
        SelectChoice(str(choice.value), choice.label) for choice in service_choices(db)
    ]
    if template is not None and not form.is_submitted():
        form.name.data = template.name
        form.category.data = str(template.category_id or "")
        form.service.data = str(template.service_id or "")
        form.active.data = template.active
        for code, text in template.texts.items():
            getattr(form, f"text_{code}").data = text
    return form


def _save(db, form: ReplyTemplateForm, template: ReplyTemplate | None):
    try:
        saved = save_template(
            db,
            template,
            name=form.name.data,
            category_id=int(form.category.data) if form.category.data else None,
            service_id=int(form.service.data) if form.service.data else None,
            texts={code: getattr(form, f"text_{code}").data or "" for code in USAGER_LANGUAGES},
            active=form.active.data,
        )
    except DomainError as error:
        db.rollback()
        if error.code == "unknown_placeholder":
            getattr(form, error.field).errors = [
                _(
                    "Repère inconnu : %(names)s. Repères possibles : {nom}, {reference}, "
                    "{date_reception}, {service}.",
                    names=", ".join("{" + p + "}" for p in error.placeholders),
                )
            ]
        else:
            show_error(form, error)
        return None
    audit(db, "reply_template.save", "reply_template", saved.id)
    db.commit()
    flash(_("Réponse-type enregistrée."), "info")
    return redirect(url_for("backoffice.admin_reply_templates"))


@bp.route("/admin/reponses-types", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_reply_templates():
    db = get_session()
    form = _form(db, None)
    if form.validate_on_submit():
        done = _save(db, form, None)
        if done:
            return done
    templates = db.scalars(
        select(ReplyTemplate).order_by(ReplyTemplate.active.desc(), ReplyTemplate.name)
    ).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/reply_templates.html",
        templates=templates,
        usage=template_usage(db),
        form=form,
        template=None,
    ), status


@bp.route("/admin/reponses-types/<int:template_id>", methods=["GET", "POST"])
@role_required(*CONFIGURERS)
def admin_reply_template(template_id: int):
    db = get_session()
    template = get_or_404(db, ReplyTemplate, template_id)
    form = _form(db, template)
    if form.validate_on_submit():
        done = _save(db, form, template)
        if done:
            return done
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/reply_template.html", template=template, form=form
    ), status
