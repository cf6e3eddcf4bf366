from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from surveys.users import find_by_email, record_login, verify_password

from ..db import get_session
from . import bp
from .access import public_endpoint
from .forms import LoginForm

log = logging.getLogger("avis.auth")


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("backoffice.home")


@bp.route("/login", methods=["GET", "POST"])
@public_endpoint
def login():
    if current_user.is_authenticated:
        return redirect(url_for("backoffice.home"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = find_by_email(db, form.email.data)
        if user is not None and user.active and verify_password(user, form.password.data):
            session.clear()  # a fresh session at login: no fixation
            login_user(user)
            record_login(user)
            db.commit()
            log.info("login: user %s", user.id)
            return redirect(_safe_next(request.args.get("next")))
        log.info("login failed")
        flash(_("Adresse ou mot de passe incorrect."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public_endpoint  # logging out needs no role; it ends whatever session exists
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))
