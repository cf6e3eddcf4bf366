"""Configuration from the environment, with defaults that work without any ``.env``."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path, PurePath

from surveys.calendar import HOME_TIMEZONE


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def secret_key(instance_path: str) -> str:
    """Return AVIS_SECRET_KEY, or a key generated once and kept in the instance folder."""
    if os.environ.get("AVIS_SECRET_KEY"):
        return os.environ["AVIS_SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def instance_path() -> str:
    """Return the instance folder ``create_app()`` uses: AVIS_INSTANCE_PATH, else Flask's
    default for the ``kiosk`` package (``instance/`` beside the package when it is not
    installed, ``<prefix>/var/kiosk-instance`` when it is), found without importing Flask
    so that commands such as ``avis report`` need not build the app."""
    if os.environ.get("AVIS_INSTANCE_PATH"):
        return os.environ["AVIS_INSTANCE_PATH"]
    # The rules of flask.sansio.scaffold.find_package for a package with an __init__.py.
    package_path = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    prefix = os.path.abspath(sys.prefix)
    if PurePath(package_path).is_relative_to(prefix):
        return os.path.join(prefix, "var", "kiosk-instance")
    site_parent, site_folder = os.path.split(package_path)
    if site_folder.lower() == "site-packages":
        parent, folder = os.path.split(site_parent)
        if folder.lower() == "lib":
            root = parent
        elif os.path.basename(parent).lower() == "lib":
            root = os.path.dirname(parent)
        else:
            root = site_parent
        return os.path.join(root, "var", "kiosk-instance")
    return os.path.join(package_path, "instance")


def database_url(instance_path: str) -> str:
    """Return AVIS_DATABASE_URL, or the SQLite file ``avis.db`` of the instance folder."""
    return os.environ.get("AVIS_DATABASE_URL") or "sqlite:///" + str(
        Path(instance_path) / "avis.db"
    )


def from_environment(instance_path: str) -> dict:
    """Return the app configuration read from ``AVIS_*`` variables."""
    return {
        "SECRET_KEY": secret_key(instance_path),
        "AVIS_DATABASE_URL": database_url(instance_path),
        # Public address used in QR codes, posters and emails (no trailing slash).
        "AVIS_BASE_URL": os.environ.get("AVIS_BASE_URL", "http://localhost:5000").rstrip("/"),
        "AVIS_SMTP_URL": os.environ.get("AVIS_SMTP_URL", ""),
        # The bloc marque of pages that belong to no site (back office, login); empty:
        # "République française" (surveys.models.sites.STATE_MARQUE).
        "AVIS_OFFICIAL_TITLE": os.environ.get("AVIS_OFFICIAL_TITLE", ""),
        "AVIS_MAIL_FROM": os.environ.get("AVIS_MAIL_FROM", "avis@localhost"),
        "AVIS_RATELIMIT_STORAGE_URL": os.environ.get("AVIS_RATELIMIT_STORAGE_URL", "memory://"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* are trusted.
        "AVIS_TRUSTED_PROXIES": _int("AVIS_TRUSTED_PROXIES", 0),
        # Addresses (or networks) of those proxies; from any other, X-Forwarded-* are dropped.
        # gunicorn reads the same variable (deploy/gunicorn.conf.py), with the same default.
        "AVIS_FORWARDED_ALLOW_IPS": os.environ.get("AVIS_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "AVIS_KIOSK_IDLE_SECONDS": _int("AVIS_KIOSK_IDLE_SECONDS", 60),
        "AVIS_KIOSK_WARNING_SECONDS": _int("AVIS_KIOSK_WARNING_SECONDS", 20),
        # The tablet's réclamation form: someone writing a complaint needs time.
        "AVIS_KIOSK_RECLAMATION_IDLE_SECONDS": _int("AVIS_KIOSK_RECLAMATION_IDLE_SECONDS", 180),
        "AVIS_KIOSK_THANKS_SECONDS": _int("AVIS_KIOSK_THANKS_SECONDS", 6),
        # After one tap, how long the thanks and "Préciser mon avis" stay on the welcome.
        "AVIS_KIOSK_ONE_TAP_SECONDS": _int("AVIS_KIOSK_ONE_TAP_SECONDS", 4),
        "AVIS_TABLET_MIN_INTERVAL_SECONDS": _int("AVIS_TABLET_MIN_INTERVAL_SECONDS", 2),
        "AVIS_TABLET_HOURLY_LIMIT": _int("AVIS_TABLET_HOURLY_LIMIT", 300),
        # gunicorn's threads per worker (deploy/gunicorn.conf.py): sizes the connection pool.
        "AVIS_THREADS": max(1, _int("AVIS_THREADS", 1)),
        # Small and often: a checkpoint's flush stalls the writers for as long as it lasts.
        "AVIS_SQLITE_CHECKPOINT_SECONDS": _float("AVIS_SQLITE_CHECKPOINT_SECONDS", 0.1),
        "AVIS_ENROLMENT_MINUTES": _int("AVIS_ENROLMENT_MINUTES", 30),
        "AVIS_RETENTION_DAYS": _int("AVIS_RETENTION_DAYS", 3 * 365),
        "AVIS_DPO_CONTACT": os.environ.get("AVIS_DPO_CONTACT", "dpo@prefecture.example"),
        # Working days allowed for a reply per channel, over the defaults (courriel=5,...).
        "AVIS_REPLY_DAYS": os.environ.get("AVIS_REPLY_DAYS", ""),
        "AVIS_SMTP_TIMEOUT": _int("AVIS_SMTP_TIMEOUT", 10),
        "SESSION_COOKIE_SECURE": _bool("AVIS_SECURE_COOKIES", False),
        # Back-office sessions end after this much inactivity, and in any case after the maximum.
        "AVIS_SESSION_IDLE_MINUTES": _int("AVIS_SESSION_IDLE_MINUTES", 30),
        "AVIS_SESSION_MAX_HOURS": _int("AVIS_SESSION_MAX_HOURS", 10),
        # Failed logins allowed per address and per account (Flask-Limiter syntax).
        "AVIS_LOGIN_LIMIT_ADDRESS": os.environ.get("AVIS_LOGIN_LIMIT_ADDRESS", "30 per 15 minutes"),
        "AVIS_LOGIN_LIMIT_ACCOUNT": os.environ.get("AVIS_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": _int("AVIS_MAX_CONTENT_LENGTH", 1024 * 1024),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": HOME_TIMEZONE,
        "WTF_CSRF_TIME_LIMIT": None,
        "JSON_SORT_KEYS": False,
    }


def is_local_address(url: str) -> bool:
    """Return True when ``url`` points to this machine (localhost, 127.0.0.1, ::1): printed
    in a QR code or a link sent away, such an address reaches no one."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")  # noqa: S104


def check_ratelimit_storage(url: str) -> None:
    """Stop the start-up, saying what to install, when the rate limits are to be kept in
    Redis and the ``redis`` extra is not installed."""
    if not url.split(":", 1)[0].startswith("redis"):
        return
    try:
        import redis  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "AVIS_RATELIMIT_STORAGE_URL is a Redis address but the redis package is not "
            "installed: pip install -c constraints.txt 'avis[redis]'"
        ) from None
