"""Login (throttled per address and per account, one generic error), logout, password."""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from limits import parse as parse_limit

from surveys import DomainError
from surveys.audit import record
from surveys.users import (
    change_password,
    end_all_sessions,
    find_by_email,
    forget_login_attempt,
    record_login,
    start_login_attempt,
    verify_password,
)

from ..db import get_session
from ..extensions import limiter
from . import bp, sessions
from .access import public_endpoint, role_required
from .forms import LoginForm, PasswordForm

log = logging.getLogger("avis.auth")


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(ch) < 32 for ch in target)
    ):
        return target
    return url_for("backoffice.home")


def _account_key(email: str) -> str:
    # Keyed: the database never holds an address typed at login, even as a plain hash
    # that a list of addresses would reverse.
    secret = str(current_app.config["SECRET_KEY"]).encode()
    normal = (email or "").strip().lower().encode()
    return hmac.new(secret, normal, hashlib.sha256).hexdigest()[:32]


def _failed(response) -> bool:
    return response.status_code == 401


def _throttled(retry_after: int = 60):
    log.warning("login throttled")
    flash(_("Trop de tentatives de connexion. Réessayez dans quelques minutes."), "error")
    response = current_app.make_response(
        render_template("auth/login.html", form=LoginForm(formdata=None))
    )
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(429)
def too_many(_error):
    return _throttled()


def _account_attempt(db, email: str) -> tuple[int | None, int]:
    """Count this attempt against its account's limit, kept in the database so that every
    worker and server counts the same failures; return (attempt id, seconds to wait)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None, 0
    item = parse_limit(current_app.config["AVIS_LOGIN_LIMIT_ACCOUNT"])
    attempt, wait = start_login_attempt(db, _account_key(email), item.amount, item.get_expiry())
    db.commit()
    return attempt, wait


@bp.route("/login", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(
    lambda: current_app.config["AVIS_LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    scope="login-address",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("backoffice.home"))
    if session.pop("_avis_expired", None):
        flash(_("Votre session a expiré. Reconnectez-vous."), "info")
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        attempt, wait = _account_attempt(db, form.email.data)
        if wait:
            return _throttled(wait)
        user = find_by_email(db, form.email.data)
        db.commit()  # SQLite: the password's hashing must not hold the writers' lock
        # One message whatever went wrong: no way to learn which addresses have an account.
        if verify_password(user, form.password.data) and user.active:
            if attempt is not None:
                forget_login_attempt(db, attempt)
            sessions.start(user)
            record_login(user)
            record(db, user, "auth.login", "user", user.id)
            db.commit()
            log.info("login: user %s", user.id)
            return redirect(_safe_next(request.args.get("next")))
        log.info("login failed")
        flash(_("Adresse ou mot de passe incorrect."), "error")
        return render_template("auth/login.html", form=form), 401
    if request.method == "POST":
        return render_template("auth/login.html", form=form), 400
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public_endpoint  # logging out needs no role; it ends whatever session exists
@login_required
def logout():
    db = get_session()
    user = db.merge(current_user._get_current_object())
    # A copy of this session's cookie must not work afterwards: end it on the server too.
    end_all_sessions(user)
    record(db, user, "auth.logout", "user", user.id)
    db.commit()
    sessions.end()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@role_required("admin", "quality", "agent", "viewer")
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = db.merge(current_user._get_current_object())
        if not verify_password(user, form.current.data):
            form.current.errors.append(_("Mot de passe actuel incorrect."))
        else:
            try:
                change_password(user, form.new.data)
            except DomainError as error:
                form.new.errors.append(password_message(error))
            else:
                record(db, user, "user.password", "user", user.id)
                db.commit()
                sessions.start(user)  # other sessions ended; this one carries on
                flash(_("Mot de passe changé."), "info")
                return redirect(url_for("backoffice.home"))
        return render_template("auth/password.html", form=form), 400
    return render_template("auth/password.html", form=form)


def password_message(error: DomainError) -> str:
    """Return the user-facing text of a refused password."""
    if error.code == "too_common":
        return _("Ce mot de passe est trop courant. Choisissez-en un autre.")
    return _("Le mot de passe doit compter au moins %(n)s caractères.", n=12)
