"""Rate limits that outlive their shared storage.

With several app servers the per-address counters live in Redis
(``AVIS_RATELIMIT_STORAGE_URL``). When Redis is down, unreachable or refuses the app (a
password changed on one side only), a usager's post must still be answered: each app
process then counts the same limits by itself, in memory, says so once in its log and on
``/healthz``, and tries Redis again every few seconds. Flask-Limiter's decorated limits do
the same through its in-memory fallback (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter

from .extensions import limiter

log = logging.getLogger(__name__)
# How long a process counts locally before it tries the shared storage again.
RETRY_SECONDS = 5.0
# A Redis that does not answer must not hold a usager's post for long.
REDIS_TIMEOUT_SECONDS = 1.0


def configure(app: Flask) -> None:
    """Set Flask-Limiter's options for a storage that may fail (call before init_app)."""
    app.config["RATELIMIT_STORAGE_URI"] = app.config["AVIS_RATELIMIT_STORAGE_URL"]
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "unix://")):
        options = {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        }
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)


class _Counters:
    """This process's view of the shared counters, and its local stand-in."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.retry_at = 0.0  # monotonic time before which the shared storage is not tried
        self.shared: RateLimiter | None = None
        self.local: RateLimiter | None = None

    def strategies(self) -> tuple[RateLimiter, RateLimiter]:
        """Return (shared, local): the configured storage itself (never Flask-Limiter's own
        fallback, which ``limiter.limiter`` gives once it saw the storage fail) and this
        process's memory, with Flask-Limiter's strategy."""
        with self.lock:
            # A new app (tests build many in one process) brings a new storage.
            if self.shared is None or self.shared.storage is not limiter.storage:
                name = current_app.config.get("RATELIMIT_STRATEGY") or "fixed-window"
                self.shared = STRATEGIES[name](limiter.storage)
                self.local = STRATEGIES[name](MemoryStorage())
            return self.shared, self.local

    def shared_failed(self, error: Exception) -> None:
        with self.lock:
            first = self.retry_at == 0.0
            self.retry_at = time.monotonic() + RETRY_SECONDS
        if first:
            log.warning(
                "rate limits: shared storage unreachable (%s); counting in this process "
                "until it answers",
                type(error).__name__,
            )

    def shared_answered(self) -> None:
        if self.retry_at:
            with self.lock:
                self.retry_at = 0.0
            log.warning("rate limits: shared storage answers again")


_counters = _Counters()


def _counted(count):
    """Run ``count(strategy)`` on the shared storage or, while it fails, on this process's
    memory; either way a usager's request is answered."""
    shared, local = _counters.strategies()
    if time.monotonic() >= _counters.retry_at:
        try:
            result = count(shared)
        except Exception as error:  # noqa: BLE001 - any storage failure: count locally
            _counters.shared_failed(error)
        else:
            _counters.shared_answered()
            return result
    return count(local)


def without_middleware_check(app: Flask) -> None:
    """Take Flask-Limiter's check off the start of every request.

    Avis sets no default, application or blueprint limit: its limits are a few decorated
    views, whose decorator checks them itself (and falls back to memory the same way), and
    the API's per-address counts (:func:`hit`). The check before every request would find
    nothing to count, at a cost to each tablet's response and each ``/healthz``
    (``bench/RESULTS.md``). Should a default or application limit be configured
    one day, the check stays."""
    manager = limiter.limit_manager
    # Flask-Limiter's own lists; when it renames them, None keeps the check (and a test
    # says so).
    kinds = ("_default_limits", "_application_limits", "_blueprint_limits")
    if any(getattr(manager, name, None) is None or getattr(manager, name) for name in kinds):
        return
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:
        checks.remove(limiter._check_request_limit)


def hit(limit: RateLimitItem, scope: str, key: str) -> tuple[bool, float]:
    """Count one request against ``limit`` for ``key``; return (allowed, reset time as a
    Unix timestamp), from the shared storage or, while it fails, from this process."""

    def count(strategy: RateLimiter) -> tuple[bool, float]:
        allowed = strategy.hit(limit, scope, key)
        return allowed, strategy.get_window_stats(limit, scope, key)[0]

    return _counted(count)


def allowed(limit: RateLimitItem, scope: str, key: str) -> bool:
    """Whether ``key`` may still be counted against ``limit`` (nothing is counted)."""
    return _counted(lambda strategy: strategy.test(limit, scope, key))


def shared_storage_state() -> str:
    """Return ``"ok"`` when the limits' storage answers (always, for the in-memory one),
    ``"unreachable"`` otherwise (each process then counts its own)."""
    try:
        answered = limiter.storage.check()
    except Exception:  # noqa: BLE001 - a storage that cannot even be asked is unreachable
        answered = False
    return "ok" if answered else "unreachable"
