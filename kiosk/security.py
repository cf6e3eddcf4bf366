"""Security headers on every response; no-store on the back office, the API's reports and
every download; the session cookie marked ``Secure`` whenever the request came over HTTPS."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Set on every response unless its view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
PRIVATE_PREFIXES = ("/backoffice", "/auth", "/api/v1/report", "/api/v1/export")


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, ``Secure`` when configured or when served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request):
        # No session cookie (a tablet's response, /healthz, a QR code's first load): an
        # empty session, without the signing serializer Flask builds first every time.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


class JSONProvider(DefaultJSONProvider):
    """JSON that refuses what no client of Avis sends: nesting deep enough to exhaust the
    parser's recursion (a 500 otherwise) and NUL characters (PostgreSQL cannot store them).
    Both become a plain "invalid JSON" (400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode("utf-8") if isinstance(s, bytes | bytearray) else s
        if "\\u0000" in text.lower():
            raise ValueError("NUL character in JSON")
        try:
            return super().loads(text, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


# Bidi embedding, override and isolate controls: shown raw, U+202E makes "exe.txt" read
# "txt.exe" and can reorder a whole table row. Arabic and Hebrew text need none of them.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def neutralise_bidi(value: Any) -> Any:
    """Jinja ``finalize``: drop bidi controls from plain text printed in any page (stored
    data is left as it is; markup built by the app is not touched)."""
    if type(value) is str:
        return value.translate(BIDI_CONTROLS)
    return value


def _has_nul() -> bool:
    values = [v for vs in request.args.listvalues() for v in vs]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += [v for vs in request.form.listvalues() for v in vs]
    return any("\x00" in value for value in values)


def _is_download(response, present: set[str]) -> bool:
    return "content-disposition" in present and "attachment" in (
        response.headers.get("Content-Disposition") or ""
    )


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.json = JSONProvider(app)
    app.jinja_env.finalize = neutralise_bidi

    @app.before_request
    def refuse_nul_characters():
        # A NUL in a form field or the query string is never legitimate text.
        if _has_nul():
            abort(400)

    @app.after_request
    def security_headers(response):
        # One pass over the headers the view set: a setdefault per header scans them all
        # each time, which cost a tablet's response as much as its answers' insert.
        headers = response.headers
        present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if (
            request.blueprint in ("backoffice", "auth")
            or request.path.startswith(PRIVATE_PREFIXES)
            or _is_download(response, present)
        ):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
