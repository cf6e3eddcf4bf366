from flask import render_template

from ..auth.access import role_required
from . import bp


@bp.get("/")
@role_required("admin", "quality", "agent", "viewer")
def home():
    return render_template("backoffice/home.html")
