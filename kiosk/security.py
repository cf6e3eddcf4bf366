"""Security headers on every response; no-store on the back office, the API's reports and
every download; the session cookie marked ``Secure`` whenever the request came over HTTPS."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PRIVATE_PREFIXES = ("/backoffice", "/auth", "/api/v1/report", "/api/v1/export")


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, ``Secure`` when configured or when served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _is_download(response) -> bool:
    return "attachment" in (response.headers.get("Content-Disposition") or "")


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if (
            request.blueprint in ("backoffice", "auth")
            or request.path.startswith(PRIVATE_PREFIXES)
            or _is_download(response)
        ):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
