from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from surveys import DomainError
from surveys.models import User
from surveys.users import set_language

from ..auth.access import role_required
from ..db import get_session
from ..reclamation_forms import CsrfOnlyForm
from . import bp
from .nav import ALL


@bp.get("/")
@role_required(*ALL)
def home():
    return render_template("backoffice/home.html")


def _back_to(target: str | None) -> str:
    """The back-office page the user came from, never another site."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/backoffice"):
        return url_for("backoffice.home")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.post("/langue")
@role_required(*ALL)
def language():
    """Each user chooses their own back-office language (empty: the browser's)."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    db = get_session()
    user = db.get(User, current_user.id)
    try:
        set_language(user, request.form.get("language"))
    except DomainError:
        abort(400)
    db.commit()
    return redirect(_back_to(request.form.get("next")), code=303)
