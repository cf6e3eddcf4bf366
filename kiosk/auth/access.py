"""Who may do what: the session user, role checks and the scope of sites and services."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from surveys.models import User
from surveys.users import can_see

from ..db import get_read_session
from ..extensions import login_manager

log = logging.getLogger("avis.access")

login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"
# Flask-Login's own message is English; this one follows the page's language.
login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    # The read session: checking who is calling must not take SQLite's write lock (a page
    # that only reads, or /healthz, would otherwise queue behind every writer). Views that
    # change the account merge it into the write session first.
    user = get_read_session().get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def role_required(*roles: str) -> Callable:
    """Allow the view to logged-in users holding one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                log.warning(
                    "forbidden: user %s (%s) on %s",
                    current_user.id,
                    current_user.role,
                    request.path,
                )
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the route-matrix test
        return wrapped

    return decorator


def require_scope(site_id: int, service_id: int | None, *, what: str, object_id: object) -> None:
    """Answer 404 (and log the attempt) when the current user's scope excludes the object."""
    if not can_see(current_user, site_id, service_id):
        log.warning("out-of-scope access: user %s to %s %s", current_user.id, what, object_id)
        abort(404)


def public_endpoint(view: Callable) -> Callable:
    """Mark a view as open without a back-office login (usager pages, token-checked API).

    Every view is either ``role_required(...)`` or ``public_endpoint``: the route-matrix
    test refuses any other, so a new route cannot be left open by oversight.
    """
    view.public = True
    return view
