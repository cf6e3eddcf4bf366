"""Which tablet is calling: the device credential given at enrolment.

The credential is one long random token (only its SHA-256 is stored, see
``surveys.tablets``). It travels two ways:

- pages under ``/kiosk`` and the kiosk's own calls to the API: the HttpOnly cookie
  ``avis_tablet`` set at enrolment (``SameSite=Strict``, ``Secure`` when
  ``AVIS_SECURE_COOKIES`` is on, valid ten years). The page's script never sees it;
  ``SameSite=Strict`` keeps other sites from submitting with it.
- other API clients (a native kiosk app, a test): ``Authorization: Bearer <token>``.

A revoked tablet, or one given a new enrolment code that was then used, is no longer
recognised: the kiosk shows "this tablet is not registered" and cannot submit.
"""

from __future__ import annotations

import time

from flask import Response, current_app, g, request

from surveys.directory import directory, last_loaded
from surveys.models import Tablet
from surveys.tablets import mark_seen, mark_seen_by_id, tablet_for_token, token_hash

from ..db import engine, get_read_session, get_session

COOKIE = "avis_tablet"
COOKIE_MAX_AGE = 10 * 365 * 24 * 3600


def device_token() -> str | None:
    """Return the device token of this request: Bearer header first, then the cookie."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def current_tablet() -> Tablet | None:
    """Return the enrolled, non-revoked tablet making this request, or None."""
    if "avis_tablet" not in g:
        g.avis_tablet = tablet_for_token(get_session(), device_token())
    return g.avis_tablet


def holds_tablet_credential(*, fresh: bool = False) -> bool:
    """Return True when this request carries the device token of an enrolled, non-revoked
    tablet: a header or cookie merely present proves nothing.

    Looked up in the directory this process last loaded (no query: this runs on every
    tablet request), read from the database when there is none yet or with ``fresh``.
    That directory may still hold a tablet revoked a moment ago: without ``fresh``, only
    for a caller whose writing transaction checks the credential again and reloads the
    directory (``POST /responses``).
    """
    token = device_token()
    if not token or len(token) > 200:
        return False
    known = None if fresh else last_loaded(engine())
    if known is None:
        session = get_read_session()
        try:
            known = directory(session)
        finally:
            session.rollback()  # a read transaction left open would hold back checkpoints
    return known.tablet(token_hash(token)) is not None


# When this process last wrote each tablet's ``last_seen_at`` (monotonic seconds): a
# tablet sending a response every few seconds costs one UPDATE a minute per process.
_SEEN_GAP = 60
_seen_here: dict[int, float] = {}


def note_seen(tablet: Tablet | int) -> None:
    """Update the tablet's ``last_seen_at`` (at most once a minute) and commit; a tablet
    given by its id (the API's hot path) is written at most once a minute per process."""
    if isinstance(tablet, Tablet):
        session = get_session()
        if mark_seen(session, tablet, _SEEN_GAP):
            session.commit()
        return
    clock = time.monotonic()
    if clock - _seen_here.get(tablet, -_SEEN_GAP) < _SEEN_GAP:
        return  # no session opened: the API's hot path
    _seen_here[tablet] = clock
    session = get_session()
    if mark_seen_by_id(session, tablet, _SEEN_GAP):
        session.commit()


def set_device_cookie(response: Response, token: str) -> None:
    """Store the device token in the tablet's browser (HttpOnly, SameSite=Strict)."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        samesite="Strict",
    )
