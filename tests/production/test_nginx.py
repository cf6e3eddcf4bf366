"""The nginx site of deploy/nginx/avis.conf, run for real in front of gunicorn: TLS, static
files with cache headers, the body limit, and X-Forwarded-For replaced so that a usager
cannot dodge the per-address limits by sending the header himself."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import ssl
import subprocess
import uuid
from datetime import UTC, datetime

import pytest

from .harness import ROOT, Gunicorn, app_environment, free_port, migrate_and_seed, wait_until

SITE = ROOT / "deploy" / "nginx" / "avis.conf"


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
        app_environment(url, tmp_path / "instance", AVIS_TRUSTED_PROXIES="1"), workers=1
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
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    site = SITE.read_text()
    # The site as shipped, moved to loopback ports and this checkout's files.
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl;")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{server.port}")
    site = site.replace("/etc/ssl/avis/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/avis/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/opt/avis/app/kiosk/static/", f"{ROOT}/kiosk/static/")
    site = site.replace("/var/log/nginx/avis.access.log", str(tmp_path / "access.log"))
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log warn;\ndaemon off;\nevents {{}}\n"
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
        yield port, seeded, tmp_path
    finally:
        nginx.terminate()
        nginx.wait(10)
        server.stop()


def https(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def test_nginx_serves_static_files_with_cache_headers_and_keeps_query_strings_out_of_its_log(
    nginx_in_front,
):
    port, _seeded, tmp_path = nginx_in_front
    status, headers, body = https(port, "GET", "/static/css/base.css")
    assert status == 200 and b"--blue" in body
    assert "max-age=3600" in headers["cache-control"] and "public" in headers["cache-control"]
    status, headers, _ = https(port, "GET", "/static/css/base.css?v=0123abcd")
    assert status == 200 and "max-age=31536000" in headers["cache-control"]
    status, _headers, _ = https(port, "GET", "/healthz?token=secret-of-a-poster")
    assert status == 200
    log = (tmp_path / "access.log").read_text()
    assert '"GET /healthz" 200' in log and "secret-of-a-poster" not in log
    assert "127.0.0.1" not in log


def test_nginx_refuses_a_body_over_the_apps_limit_before_it_reaches_a_worker(nginx_in_front):
    port, _seeded, _tmp = nginx_in_front
    status, _headers, _ = https(
        port,
        "POST",
        "/api/v1/responses",
        b"x" * (1024 * 1024 + 1),
        {"Content-Type": "application/json"},
    )
    assert status == 413


def test_a_forged_x_forwarded_for_does_not_escape_the_per_address_limit(nginx_in_front):
    port, seeded, _tmp = nginx_in_front
    statuses = []
    for n in range(61):  # web responses: 60 per minute per address
        body = {
            "response_id": str(uuid.uuid4()),
            "site": seeded.site,
            "service": seeded.service,
            "channel": "web",
            "submitted_at": datetime.now(UTC).isoformat(),
            "ratings": {"overall": 4},
        }
        status, _headers, _ = https(
            port,
            "POST",
            "/api/v1/responses",
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "X-Forwarded-For": f"192.0.2.{n + 1}"},
        )
        statuses.append(status)
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429
