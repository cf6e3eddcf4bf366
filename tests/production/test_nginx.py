"""The nginx site of deploy/nginx/avis.conf, run for real in front of gunicorn: TLS, static
files with cache headers, the body limit, and X-Forwarded-For replaced so that a usager
cannot dodge the per-address limits by sending the header himself."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import ssl
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .harness import (
    ROOT,
    Gunicorn,
    Seeded,
    app_environment,
    free_port,
    migrate_and_seed,
    wait_until,
)

SITE = ROOT / "deploy" / "nginx" / "avis.conf"


NAME = "avis.prefecture.example"  # the site's server_name, as shipped


@dataclass
class Front:
    port: int  # nginx, HTTPS
    http_port: int  # nginx, plain HTTP
    seeded: Seeded
    tmp: Path
    server: Gunicorn


@pytest.fixture(scope="module")
def nginx_in_front(tmp_path_factory):
    """One gunicorn and one nginx for the module (the limit test runs last)."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    for binary in ("nginx", "openssl"):
        if not shutil.which(binary):
            pytest.skip(f"{binary} is not installed")
    url = f"sqlite:///{tmp_path}/db/avis.db"
    seeded = migrate_and_seed(url, tablets=1)
    server = Gunicorn(
        app_environment(
            url,
            tmp_path / "instance",
            AVIS_TRUSTED_PROXIES="1",
            AVIS_ACCESS_LOG=str(tmp_path / "gunicorn.access.log"),
        ),
        workers=1,
    )
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={NAME}",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port, http_port = free_port(), free_port()
    site = SITE.read_text()
    # The site as shipped, moved to loopback ports and this checkout's files.
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 80", f"listen 127.0.0.1:{http_port}")
    site = site.replace("listen 443 ssl http2", f"listen 127.0.0.1:{port} ssl")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{server.port}")
    site = site.replace("/etc/ssl/avis/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/avis/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/opt/avis/static/", f"{ROOT}/kiosk/static/")
    site = site.replace("/var/log/nginx/avis.access.log", str(tmp_path / "access.log"))
    site = site.replace("/var/log/nginx/avis.error.log", str(tmp_path / "error.log"))
    assert "listen 80" not in site and "listen 443" not in site and "/var/log" not in site
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/main-error.log warn;\ndaemon off;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {temp}/body;\n"
        f" proxy_temp_path {temp}/proxy;\n fastcgi_temp_path {temp}/f;\n"
        f" uwsgi_temp_path {temp}/u;\n scgi_temp_path {temp}/s;\n"
        f" include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def listening() -> bool:
        if nginx.poll() is not None:
            raise RuntimeError(nginx.stderr.read().decode())
        try:
            https(port, "GET", "/healthz")
            return True
        except OSError:
            return False

    try:
        wait_until(listening, 20, "nginx")
        yield Front(port, http_port, seeded, tmp_path, server)
    finally:
        nginx.terminate()
        nginx.wait(10)
        server.stop()


class _Connection(http.client.HTTPSConnection):
    """HTTPS to nginx on loopback, naming ``host`` in TLS (SNI) as a browser would."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names, the last value of each
    body: bytes
    all_headers: list[tuple[str, str]]  # every header line, repeats included

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.all_headers if k.lower() == name.lower()]


def https(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
    sni: str = NAME,
) -> Answer:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    connection = _Connection(sni, port, timeout=30, context=context)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        all_headers = answer.getheaders()
        return Answer(
            answer.status, {k.lower(): v for k, v in all_headers}, answer.read(), all_headers
        )
    finally:
        connection.close()


def test_nginx_serves_static_files_with_cache_headers_and_keeps_query_strings_out_of_its_log(
    nginx_in_front,
):
    front = nginx_in_front
    page = https(front.port, "GET", "/auth/login")
    stamp = re.search(rb"/static/[^\"?]+\?v=([0-9a-f]+)", page.body)
    assert page.status == 200 and stamp, page.body[:300]
    answer = https(front.port, "GET", "/static/css/base.css")
    assert answer.status == 200 and b"--blue" in answer.body
    assert answer.headers["cache-control"] == "public, max-age=3600"
    answer = https(front.port, "GET", f"/static/css/base.css?v={stamp[1].decode()}")
    assert answer.status == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Any other ?v= is not the digest of the files: an hour, not a year.
    for other in ("0123abcd", "release-2", "0123456789abcdef"):
        answer = https(front.port, "GET", f"/static/css/base.css?v={other}")
        assert answer.headers["cache-control"] == "public, max-age=3600", other
    assert https(front.port, "GET", "/healthz?token=secret-of-a-poster").status == 200
    log = (front.tmp / "access.log").read_text()
    assert '"GET /healthz" 200' in log and "secret-of-a-poster" not in log
    assert "127.0.0.1" not in log


def test_tablet_codes_and_poster_tokens_stay_out_of_the_access_logs(nginx_in_front):
    front = nginx_in_front
    https(front.port, "GET", "/kiosk/enrol/ENROLMENTCODE4242")
    https(front.port, "GET", "/q/SIGNEDPOSTERTOKEN4242")
    https(front.port, "GET", "/static/missing.css?email=usager.mail@example.org")
    https(
        front.port,
        "POST",
        "/api/v1/responses?email=usager.mail@example.org",
        b"x" * (1024 * 1024 + 1),
        {"Content-Type": "application/json"},
    )
    gunicorn_log = front.tmp / "gunicorn.access.log"
    wait_until(lambda: "/q/-" in gunicorn_log.read_text(), 10, "gunicorn access log")
    nginx_log = (front.tmp / "access.log").read_text()
    assert '"GET /kiosk/enrol/-"' in nginx_log and '"GET /q/-"' in nginx_log
    assert '"GET /kiosk/enrol/-"' in gunicorn_log.read_text()
    error_log = (front.tmp / "error.log").read_text() if (front.tmp / "error.log").exists() else ""
    for text in (nginx_log, gunicorn_log.read_text(), error_log):
        assert "4242" not in text and "usager.mail" not in text and "127.0.0.1" not in text


def test_one_hsts_header_no_version_and_unknown_names_refused(nginx_in_front):
    front = nginx_in_front
    for path in ("/healthz", "/auth/login", "/static/css/base.css"):
        answer = https(front.port, "GET", path)
        assert answer.values("Strict-Transport-Security") == [
            "max-age=31536000; includeSubDomains"
        ], path
        assert answer.headers["server"] == "nginx", path
    # A forged Host over the site's own TLS name: closed without an answer.
    with pytest.raises(http.client.RemoteDisconnected):
        https(front.port, "GET", "/healthz", headers={"Host": "evil.example"})
    # Another name in TLS itself: no handshake, no certificate shown.
    with pytest.raises(ssl.SSLError):
        https(front.port, "GET", "/healthz", sni="evil.example")
    # Plain HTTP: the site's name is sent to HTTPS, any other name gets nothing.
    connection = http.client.HTTPConnection("127.0.0.1", front.http_port, timeout=10)
    connection.request("GET", "/healthz", headers={"Host": NAME})
    answer = connection.getresponse()
    assert answer.status == 301 and answer.getheader("Location") == f"https://{NAME}/healthz"
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", front.http_port, timeout=10)
    with pytest.raises(http.client.RemoteDisconnected):
        connection.request("GET", "/healthz", headers={"Host": "evil.example"})
        connection.getresponse()
    connection.close()


def test_nginx_refuses_a_body_over_the_apps_limit_before_it_reaches_a_worker(nginx_in_front):
    answer = https(
        nginx_in_front.port,
        "POST",
        "/api/v1/responses",
        b"x" * (1024 * 1024 + 1),
        {"Content-Type": "application/json"},
    )
    assert answer.status == 413


def _web_response(seeded) -> bytes:
    return json.dumps(
        {
            "response_id": str(uuid.uuid4()),
            "site": seeded.site,
            "service": seeded.service,
            "channel": "web",
            "submitted_at": datetime.now(UTC).isoformat(),
            "ratings": {"overall": 4},
        }
    ).encode()


def test_a_request_sent_past_nginx_is_counted_as_its_own_address_whatever_it_forwards(
    nginx_in_front,
):
    # Straight to gunicorn's port from 127.0.0.2, which is not in AVIS_FORWARDED_ALLOW_IPS
    # (127.0.0.1, the nginx host), naming another client address each time.
    seeded, server = nginx_in_front.seeded, nginx_in_front.server
    statuses = []
    for n in range(61):  # web responses: 60 per minute per address
        connection = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=30, source_address=("127.0.0.2", 0)
        )
        try:
            connection.request(
                "POST",
                "/api/v1/responses",
                _web_response(seeded),
                {"Content-Type": "application/json", "X-Forwarded-For": f"192.0.2.{n + 1}"},
            )
            answer = connection.getresponse()
            answer.read()
            statuses.append(answer.status)
        finally:
            connection.close()
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429


def test_a_forged_x_forwarded_for_does_not_escape_the_per_address_limit(nginx_in_front):
    front = nginx_in_front
    statuses = []
    for n in range(61):  # web responses: 60 per minute per address
        answer = https(
            front.port,
            "POST",
            "/api/v1/responses",
            _web_response(front.seeded),
            {"Content-Type": "application/json", "X-Forwarded-For": f"192.0.2.{n + 1}"},
        )
        statuses.append(answer.status)
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429
