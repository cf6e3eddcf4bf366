"""Back-office sessions: idle and absolute timeouts, a fresh start at login, a real end at
logout (the account's ``session_version`` changes, so a copied old cookie is refused)."""

from __future__ import annotations

import logging
import time

from flask import current_app, session
from flask_login import current_user, login_user, logout_user

from surveys.models import User

from . import bp

log = logging.getLogger("avis.auth")

LOGIN_AT = "_avis_login_at"
SEEN_AT = "_avis_seen_at"


def start(user: User) -> None:
    """Begin a fresh session for ``user``: nothing from before login survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session.permanent = False


def end() -> None:
    """End the current session in the browser."""
    logout_user()
    session.clear()


def expired(now: float | None = None) -> bool:
    """Return True when the session has been idle or alive for too long."""
    now = time.time() if now is None else now
    idle = current_app.config["AVIS_SESSION_IDLE_MINUTES"] * 60
    maximum = current_app.config["AVIS_SESSION_MAX_HOURS"] * 3600
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    return now - seen_at > idle or now - login_at > maximum


@bp.before_app_request
def enforce_timeouts() -> None:
    if "_user_id" not in session:
        return
    if not current_user.is_authenticated:  # disabled account or ended everywhere
        end()
        return
    if expired():
        log.info("session expired: user %s", current_user.id)
        end()
        session["_avis_expired"] = True
        return
    session[SEEN_AT] = int(time.time())
