"""Back-office login and logout; access rules shared by the back office and the API."""

from flask import Blueprint
from werkzeug.routing import IntegerConverter

bp = Blueprint("auth", __name__, url_prefix="/auth")


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` limited to what a database id can hold: a 40-digit id is a 404, not a
    database overflow (500)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


@bp.record_once
def _bounded_ids(state) -> None:
    # The auth blueprint is registered first, before any route with an id is bound.
    state.app.url_map.converters["int"] = DatabaseInteger


from . import routes, sessions  # noqa: E402, F401
