"""X-Forwarded-* believed only from the proxies of AVIS_FORWARDED_ALLOW_IPS (kiosk/proxies.py)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from kiosk.proxies import ListedProxyFix, parse_allowed


@Request.application
def echo(request: Request) -> Response:
    forwarded = request.headers.get("X-Forwarded-For", "")
    return Response(f"{request.remote_addr} {request.scheme} {request.host} [{forwarded}]")


def seen(allowed: str, remote: str, headers: dict[str, str]) -> str:
    client = Client(ListedProxyFix(echo, 1, allowed))
    answer = client.get("/", headers=headers, environ_base={"REMOTE_ADDR": remote})
    return answer.get_data(as_text=True)


FORGED = {
    "X-Forwarded-For": "192.0.2.99",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "Host": "avis.prefecture.example",
}


def test_the_listed_proxy_gives_the_client_address_scheme_and_host():
    assert seen("127.0.0.1", "127.0.0.1", FORGED) == "192.0.2.99 https evil.example [192.0.2.99]"


def test_a_client_past_the_proxy_counts_as_the_address_that_sent_the_request():
    # Straight to the app server's port from an address that is not the proxy's.
    assert seen("10.0.0.11", "10.0.0.50", FORGED) == "10.0.0.50 http avis.prefecture.example []"


@pytest.mark.parametrize(
    ("allowed", "remote", "listed"),
    [
        ("10.0.0.11, 10.0.0.12", "10.0.0.12", True),
        ("10.1.0.0/24", "10.1.0.7", True),
        ("10.1.0.0/24", "10.1.1.7", False),
        ("127.0.0.1", "::ffff:127.0.0.1", True),
        ("::1", "::1", True),
        ("*", "203.0.113.5", True),
        ("127.0.0.1", "", False),  # a Unix socket has no address: not a listed proxy
    ],
)
def test_addresses_and_networks_of_the_list(allowed, remote, listed):
    answer = seen(allowed, remote, {"X-Forwarded-For": "192.0.2.99"})
    assert answer.startswith("192.0.2.99 ") is listed


def test_a_malformed_list_stops_the_start_up_instead_of_trusting_the_wrong_machines():
    with pytest.raises(ValueError):
        parse_allowed("10.0.0.11;10.0.0.12")
