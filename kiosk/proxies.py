"""Which ``X-Forwarded-*`` headers the app believes: only those of a listed proxy.

Behind nginx the app takes the client's address from ``X-Forwarded-For`` (the per-address
limits count it) and the scheme from ``X-Forwarded-Proto``. ProxyFix alone believes those
headers from whoever sends them: a request sent straight to an app server's port, past
nginx, could name any address. Here they are read only when the connection comes from one
of ``AVIS_FORWARDED_ALLOW_IPS`` (the same setting gunicorn reads, deploy/gunicorn.conf.py),
and dropped otherwise, so the request counts as coming from the address that sent it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

# Every header a proxy may set that ProxyFix or the app could read.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_FORWARDED",
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allowed(value: str) -> list[Network] | None:
    """Return the networks of a comma-separated list of addresses and networks
    (``127.0.0.1,10.0.0.11,10.1.0.0/24``), or None for ``*`` (any address, as in gunicorn).

    A malformed entry raises ValueError: the app then refuses to start rather than trust
    the wrong machines."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if "*" in entries:
        return None
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def is_listed(address: str | None, networks: Iterable[Network] | None) -> bool:
    """Return True when ``address`` (a REMOTE_ADDR) belongs to one of ``networks``."""
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


class ListedProxyFix:
    """ProxyFix for the connections of the listed proxies; for any other, the forwarded
    headers are removed before the app sees them."""

    def __init__(self, app: Callable, hops: int, allowed: str) -> None:
        self.app = app
        self.networks = parse_allowed(allowed)
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        if is_listed(environ.get("REMOTE_ADDR"), self.networks):
            return self.fixed(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)
