"""Administration of back-office accounts (admins only) and the audit log viewer."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from surveys import DomainError
from surveys.audit import recent
from surveys.models import AuditEntry, User
from surveys.users import change_password, create_user, set_active, update_user

from ..auth.access import role_required
from ..db import get_read_session, get_session
from ..params import page_arg
from . import bp
from .admin_common import audit, get_or_404, parse_scopes, scope_choices, scope_values, show_error
from .admin_forms import ROLE_CHOICES, AuditFilterForm, UserForm

PAGE = 100


def _form(db, user: User | None) -> UserForm:
    form = UserForm(prefix="user", obj=user if request.method == "GET" else None)
    form.scopes.choices = scope_choices(db)
    if user is not None and request.method == "GET":
        form.scopes.data = scope_values(user.scopes)
    return form


@bp.route("/admin/users", methods=["GET", "POST"])
@role_required("admin")
def admin_users():
    db = get_session()
    form = _form(db, None)
    if form.validate_on_submit():
        try:
            if not form.password.data:
                raise DomainError("password required", field="password", code="too_short")
            user = create_user(
                db,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role="viewer",
            )
            update_user(
                db,
                user,
                name=form.name.data,
                role=form.role.data,
                language=form.language.data,
                scopes=parse_scopes(form.scopes.data),
            )
            set_active(user, form.active.data)
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "user.create", "user", user.id, f"role={user.role}")
            db.commit()
            flash(_("Compte créé."), "info")
            return redirect(url_for("backoffice.admin_users"))
    users = db.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "backoffice/admin/users.html", users=users, form=form, role_names=dict(ROLE_CHOICES)
    ), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def admin_user(user_id: int):
    db = get_session()
    user = get_or_404(db, User, user_id)
    form = _form(db, user)
    del form.email
    if form.validate_on_submit():
        try:
            if user.id == current_user.id and not form.active.data:
                raise DomainError("cannot disable self", field="active", code="own_role")
            changed = update_user(
                db,
                user,
                name=form.name.data,
                role=form.role.data,
                language=form.language.data,
                scopes=parse_scopes(form.scopes.data),
                acting=current_user,
            )
            if form.active.data != user.active:
                set_active(user, form.active.data)
                changed.append("active")
            if form.password.data:
                change_password(user, form.password.data)
                changed.append("password")
        except DomainError as error:
            db.rollback()
            show_error(form, error)
        else:
            audit(db, "user.update", "user", user.id, ",".join(changed) or None)
            db.commit()
            flash(_("Compte enregistré."), "info")
            return redirect(url_for("backoffice.admin_users"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("backoffice/admin/user.html", user=user, form=form), status


@bp.get("/audit", endpoint="audit")
@role_required("admin")
def audit_log():
    db = get_read_session()
    form = AuditFilterForm(request.args)
    page = page_arg()
    action = form.action.data if form.validate() else None
    entries = recent(db, limit=PAGE + 1, offset=(page - 1) * PAGE, action=action or None)
    names = dict(db.execute(select(User.id, User.name)).all())
    return render_template(
        "backoffice/admin/audit.html",
        entries=entries[:PAGE],
        more=len(entries) > PAGE,
        page=page,
        names=names,
        form=form,
        total=db.query(AuditEntry).count(),
    )
