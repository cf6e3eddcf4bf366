"""The Avis web application: tablet kiosk, public survey pages, API and back office.

Flask and the extensions are imported by ``create_app``, not by this package: the ``avis``
command imports ``kiosk.cli`` and must not pay for the web application when a command
(``avis report``) does not need it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from surveys.models import Site


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``test_config`` overrides the environment (tests, CLI)."""
    import logging

    from flask import Flask

    from . import config as config_module
    from . import db, i18n, ratelimit
    from .extensions import babel, csrf, limiter, login_manager
    from .proxies import ListedProxyFix

    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("AVIS_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    ratelimit.configure(app)
    config_module.check_ratelimit_storage(app.config["RATELIMIT_STORAGE_URI"])

    if app.config["AVIS_TRUSTED_PROXIES"]:
        # X-Forwarded-* believed only from the listed proxies (kiosk/proxies.py).
        app.wsgi_app = ListedProxyFix(
            app.wsgi_app,
            app.config["AVIS_TRUSTED_PROXIES"],
            app.config["AVIS_FORWARDED_ALLOW_IPS"],
        )

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app, babel)

    from . import api, auth, backoffice, public, tablet

    app.register_blueprint(auth.bp)
    app.register_blueprint(tablet.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(backoffice.bp)
    csrf.exempt(api.bp)  # the API authenticates with tokens, not cookies
    ratelimit.without_middleware_check(app)  # once every view and its limits are known

    from .security import init_app as init_security

    init_security(app)
    _register_health(app)
    _register_errors(app)
    _register_template_helpers(app)
    _version_static_urls(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _register_health(app: Flask) -> None:
    from flask import jsonify

    from . import db
    from .auth.access import public_endpoint
    from .extensions import limiter
    from .ratelimit import shared_storage_state

    @app.get("/healthz")
    @public_endpoint
    def healthz():
        try:
            # The read engine: a health check never waits for a writer, nor takes their lock.
            with db.read_engine().connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            app.logger.exception("health check: database unreachable")
            # Load balancers and tablets back off instead of hammering a database restarting.
            return jsonify(status="error", database="unreachable"), 503, {"Retry-After": "5"}
        # Without the shared limits the server still answers (200), each process counting
        # its own: "degraded" tells the administrator, not the load balancer.
        limits = shared_storage_state()
        status = "ok" if limits == "ok" else "degraded"
        return jsonify(status=status, database="ok", ratelimit=limits)

    limiter.exempt(healthz)


def _wants_json() -> bool:
    from flask import request

    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _register_errors(app: Flask) -> None:
    from flask import render_template
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import HTTPException

    from .api.errors import error as json_error

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            code = error.name.lower().replace(" ", "_").replace("'", "")
            return json_error(error.code, code, error.description)
        template = f"errors/{error.code}.html"
        return render_template([template, "errors/generic.html"], error=error), error.code

    @app.errorhandler(OperationalError)
    def database_down(_error: OperationalError):
        # The database is restarting, full or read-only: tell clients to retry, lose nothing.
        app.logger.error("database unavailable: %s", type(_error.orig).__name__)
        if _wants_json():
            response, _status = json_error(503, "unavailable", "database unavailable, retry later")
        else:
            response = app.make_response(
                (render_template("errors/generic.html", error=None, status=503), 503)
            )
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response


def _version_static_urls(app: Flask) -> None:
    # nginx caches /static/ for a year when the URL carries ?v= and 12 hex digits, this
    # digest's shape (deploy/nginx/avis.conf); a release that changes a file changes it.
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    root = Path(app.static_folder or "")
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    version = digest.hexdigest()[:12]

    @app.url_defaults
    def static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            values["v"] = version


def marque_of(site: Site | None) -> list[str]:
    """The bloc marque of a page or poster, line by line: the official title of its site,
    else the instance's (``AVIS_OFFICIAL_TITLE``), else the State's."""
    from flask import current_app

    from surveys.models.sites import STATE_MARQUE, marque_lines

    default = current_app.config.get("AVIS_OFFICIAL_TITLE") or STATE_MARQUE
    return site.marque(default) if site is not None else marque_lines(None, default)


def _register_template_helpers(app: Flask) -> None:
    from flask import g

    from surveys.languages import USAGER_LANGUAGES, direction, html_lang

    def marque_lines() -> list[str]:
        """The bloc marque of this page (a view that knows its site puts it in
        ``g.marque_site``)."""
        return marque_of(getattr(g, "marque_site", None))

    @app.context_processor
    def language_context() -> dict[str, Any]:
        from flask_babel import get_locale

        get_locale()  # runs the locale selector, which sets g.lang
        lang = getattr(g, "lang", None) or "fr"
        from .backoffice.nav import menu

        return {
            "marque": marque_lines(),
            "backoffice_menu": menu,
            "page_lang": html_lang(lang),
            "page_dir": direction(lang),
            "current_lang": lang,
            "usager_languages": USAGER_LANGUAGES,
        }
