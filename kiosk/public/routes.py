from flask import render_template

from ..auth.access import public_endpoint
from . import bp


@bp.get("/")
@public_endpoint
def index():
    return render_template("public/index.html")
