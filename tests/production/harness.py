"""Real servers for the production tests and the load bench: a throwaway PostgreSQL cluster,
a Redis, gunicorn instances running ``deploy/gunicorn.conf.py``, seeded tablets, and a small
asyncio HTTP/1.1 client that sends responses from many connections and retries with the same
id, as tablets do. Everything listens on 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
IS_ROOT = os.geteuid() == 0
# Ratings of the default Qual-e-Pref questionnaire a load client sends.
RATINGS = {"courtesy": 5, "waiting_time": 3, "overall": 4}
# Every question of that questionnaire answered: a usager who went through « Préciser
# mon avis » (bench/load.py's default, as the naive peer's target was set on).
FULL_RATINGS = {
    "overall": 4,
    "courtesy": 5,
    "accessibility": 4,
    "clarity": 3,
    "orientation": 5,
    "signage": 4,
    "comfort": 2,
    "confidentiality": 4,
    "waiting_time": 3,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what}: not ready after {timeout} s")


# --------------------------------------------------------------------------- PostgreSQL


class PostgresCluster:
    """A PostgreSQL cluster in a temporary folder, run as ``postgres`` when we are root."""

    def __init__(self, fast: bool = True) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="avis-prod-pg."))
        self.port = free_port()
        self.data = self.dir / "data"
        self.log = self.dir / "log"
        self.fast = fast
        if IS_ROOT:
            shutil.chown(self.dir, "postgres")
        self._pg(
            PGBIN / "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "avis",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    @staticmethod
    def available() -> str | None:
        """Return why a cluster cannot be started here, or None."""
        if not (PGBIN / "initdb").exists():
            return f"PostgreSQL binaries not found in {PGBIN}"
        return None

    def _pg(self, *command, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if IS_ROOT else []
        return subprocess.run(
            [*prefix, *map(str, command)], check=check, capture_output=True, text=True, timeout=60
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        if self.fast:
            options += " -c fsync=off -c full_page_writes=off"
        self._pg(
            PGBIN / "pg_ctl",
            "-D",
            self.data,
            "-w",
            "-t",
            "30",
            "-l",
            self.log,
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._pg(
            PGBIN / "pg_ctl", "-D", self.data, "-w", "-t", "30", "-m", mode, "stop", check=False
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://avis@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- Redis


class RedisServer:
    """A Redis on loopback with no persistence, for shared rate limits."""

    def __init__(self, port: int | None = None, password: str | None = None) -> None:
        self.port = port or free_port()
        self.password = password
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                *(["--requirepass", password] if password else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._ping, 10, "redis")

    @staticmethod
    def available() -> str | None:
        return None if shutil.which("redis-server") else "redis-server is not installed"

    def command(self, *words: str) -> bytes:
        """Send one command (after AUTH when there is a password); return the raw answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            if self.password:
                s.sendall(f"AUTH {self.password}\r\n".encode())
                s.recv(64)
            s.sendall((" ".join(words) + "\r\n").encode())
            return s.recv(65536)

    def _ping(self) -> bool:
        try:
            answer = self.command("PING")
        except OSError:
            return False
        return answer.startswith((b"+PONG", b"-NOAUTH"))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --------------------------------------------------------------------------- gunicorn


def app_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a production-like app server on ``database_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVIS_")}
    env.update(
        AVIS_DATABASE_URL=database_url,
        AVIS_INSTANCE_PATH=str(instance),
        AVIS_SECRET_KEY="production-test-secret-key-0123456789abcdef",
        AVIS_ACCESS_LOG="off",  # no access log: the load would fill the test output
        AVIS_LOG_LEVEL="warning",
        AVIS_TABLET_MIN_INTERVAL_SECONDS="0",
        AVIS_TABLET_HOURLY_LIMIT="0",
        AVIS_MAX_REQUESTS="0",
        AVIS_GRACEFUL_TIMEOUT="5",
    )
    env.update(extra)
    return env


class Gunicorn:
    """``gunicorn -c deploy/gunicorn.conf.py 'kiosk:create_app()'`` on a loopback port."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 2,
        threads: int = 1,
        wrapper: list[str] | None = None,
        log: Path | None = None,
        app: str = "kiosk:create_app()",
    ) -> None:
        self.workers = workers
        self.log_path = log or Path(tempfile.mkstemp(prefix="avis-gunicorn.", suffix=".log")[1])
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        for attempt in range(3):  # a free port can be taken by another process meanwhile
            self.port = free_port()
            self.env = dict(
                env,
                AVIS_BIND=f"127.0.0.1:{self.port}",
                AVIS_WORKERS=str(workers),
                AVIS_THREADS=str(threads),
            )
            self.process = subprocess.Popen(
                [
                    *(wrapper or []),
                    str(VENV_BIN / "gunicorn"),
                    "-c",
                    str(GUNICORN_CONF),
                    app,
                ],
                env=self.env,
                cwd=str(ROOT),
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until(self._ready, 90, f"gunicorn on port {self.port} ({self.log_path})")
                return
            except RuntimeError:
                if attempt == 2 or "in use" not in self.log_text():
                    raise

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
        return len(self.worker_pids()) >= self.workers and http_status(self.port, "/healthz") == 200

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's live worker processes."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(entry.name))
        return pids

    def reload(self) -> None:
        """Graceful reload (what ``systemctl reload avis`` does)."""
        os.kill(self.process.pid, signal.SIGHUP)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def http_status(port: int, path: str) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:  # noqa: S310
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def http_json(
    method: str, url: str, body: dict | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict, dict]:
    """Send one JSON request; return (status, JSON body, headers)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"{}"), dict(answer.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError:
            parsed = {"raw": raw[:200].decode(errors="replace")}
        return error.code, parsed, dict(error.headers)


# --------------------------------------------------------------------------- data


@dataclass
class Seeded:
    site: str
    service: str
    tokens: list[str]


def migrate_and_seed(
    database_url: str, tablets: int = 4, site: str = "92-nanterre", service: str = "accueil"
) -> Seeded:
    """Migrate the database, add a site, a service and ``tablets`` enrolled tablets."""
    from surveys import migrate
    from surveys.db import make_engine, make_sessionmaker, session_scope
    from surveys.models import Service, Site
    from surveys.tablets import enrol_tablet, register_tablet

    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        tokens = []
        with session_scope(make_sessionmaker(engine)) as session:
            site_row = Site(
                code=site,
                name="Préfecture des Hauts-de-Seine",
                departement="92",
                timezone="Europe/Paris",
            )
            service_row = Service(site=site_row, code=service, name="Accueil général")
            session.add_all([site_row, service_row])
            session.flush()
            for number in range(tablets):
                _tablet, code = register_tablet(session, service_row, f"Tablette {number + 1}")
                tokens.append(enrol_tablet(session, code)[1])
        return Seeded(site, service, tokens)
    finally:
        engine.dispose()


def count_rows(database_url: str, table: str) -> int:
    from sqlalchemy import text

    from surveys.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    finally:
        engine.dispose()


def stored_response_ids(database_url: str) -> list[str]:
    from sqlalchemy import text

    from surveys.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT response_id FROM response")).scalars())
    finally:
        engine.dispose()


def response_body(
    seeded: Seeded,
    submitted_at: datetime,
    response_id: str | None = None,
    ratings: dict[str, int] = RATINGS,
) -> dict:
    return {
        "response_id": response_id or str(uuid.uuid4()),
        "site": seeded.site,
        "service": seeded.service,
        "channel": "kiosk",
        "language": "fr",
        "submitted_at": submitted_at.isoformat(),
        "ratings": ratings,
    }


# --------------------------------------------------------------------------- load client


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    key: str | None = None  # the response_id, for acknowledgement accounting


@dataclass
class LoadResult:
    duration: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, of answered requests
    statuses: dict[int, int] = field(default_factory=dict)
    connection_errors: int = 0
    acknowledged: set[str] = field(default_factory=set)
    sent_keys: set[str] = field(default_factory=set)
    retry_after: set[str] = field(default_factory=set)  # Retry-After values seen on 503
    abandoned: int = 0  # requests given up at the end without an acknowledgement

    @property
    def answered(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def rate(self) -> float:
        return self.answered / self.duration if self.duration else 0.0

    @property
    def errors(self) -> int:
        return self.connection_errors + sum(n for s, n in self.statuses.items() if s >= 400)

    def summary(self) -> str:
        return (
            f"{self.rate:7.1f} req/s  p50 {self.percentile(50) * 1000:6.1f} ms  "
            f"p99 {self.percentile(99) * 1000:6.1f} ms  answered {self.answered}  "
            f"errors {self.errors}  statuses {dict(sorted(self.statuses.items()))}"
        )


class _Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request, timeout: float) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), timeout
            )
        head = [
            f"{request.method} {request.path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            f"Content-Length: {len(request.body)}",
        ]
        if request.body:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in request.headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + request.body)
        return await asyncio.wait_for(self._read(), timeout)

    async def _read(self) -> tuple[int, dict[str, str], bytes]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _worker(
    ports: list[int],
    index: int,
    make: Callable[[int, int], Request],
    result: LoadResult,
    stop_at: float,
    give_up_at: float,
    retry: bool,
    timeout: float,
) -> None:
    port = ports[index % len(ports)]
    connection = _Connection(port)
    sequence = 0
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < stop_at:
            request = make(index, sequence)
            sequence += 1
            if request.key:
                result.sent_keys.add(request.key)
            while True:
                started = loop.time()
                try:
                    status, headers, _body = await connection.send(request, timeout)
                except (
                    TimeoutError,
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                    IndexError,
                ):
                    connection.close()
                    result.connection_errors += 1
                    status, headers = None, {}
                else:
                    result.latencies.append(loop.time() - started)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status in (200, 201) and request.key:
                        result.acknowledged.add(request.key)
                    if status == 503 and "retry-after" in headers:
                        result.retry_after.add(headers["retry-after"])
                if not retry or (status is not None and status < 500):
                    break
                if loop.time() > give_up_at:
                    result.abandoned += 1
                    break
                # A tablet retries the same response later; here soon, to keep tests short.
                connection.close()
                await asyncio.sleep(0.05)
    finally:
        connection.close()


def run_load(
    ports: list[int],
    make: Callable[[int, int], Request],
    *,
    concurrency: int = 16,
    duration: float = 5.0,
    retry: bool = False,
    retry_for: float = 60.0,
    timeout: float = 10.0,
    during: Callable[[], None] | None = None,
    during_after: float = 1.0,
) -> LoadResult:
    """Send requests from ``concurrency`` connections (spread over ``ports``) for ``duration``
    seconds; ``make(connection, n)`` builds each request. With ``retry``, a request that got
    no answer or a 5xx is sent again (same body) until acknowledged or ``retry_for`` seconds
    after the end. ``during`` runs in a thread ``during_after`` seconds into the load.
    """

    async def main() -> LoadResult:
        result = LoadResult()
        loop = asyncio.get_running_loop()
        start = loop.time()
        stop_at = start + duration
        tasks = [
            asyncio.create_task(
                _worker(ports, i, make, result, stop_at, stop_at + retry_for, retry, timeout)
            )
            for i in range(concurrency)
        ]
        fault = None
        if during is not None:
            await asyncio.sleep(during_after)
            fault = loop.run_in_executor(None, during)
        await asyncio.gather(*tasks)
        result.duration = min(loop.time(), stop_at) - start if not retry else duration
        if fault is not None:
            await fault
        return result

    # In a thread of its own: the caller's thread may already run an event loop (a
    # session-wide Playwright instance in the test suite does).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def response_requests(
    seeded: Seeded,
    start: datetime | None = None,
    spacing: timedelta = timedelta(0),
    ratings: dict[str, int] = RATINGS,
) -> Callable[[int, int], Request]:
    """Return a request maker: connection i sends as tablet i % n, each a new response id.

    The servers run with the per-tablet limits switched off (``app_environment``): a real
    tablet sends one response every minute or so, a load client hundreds a second."""
    start = start or datetime.now(UTC)
    tokens = seeded.tokens

    def make(index: int, n: int) -> Request:
        body = response_body(seeded, start + n * spacing, ratings=ratings)
        return Request(
            "POST",
            "/api/v1/responses",
            json.dumps(body).encode(),
            {"Authorization": f"Bearer {tokens[index % len(tokens)]}"},
            key=body["response_id"],
        )

    return make


def get_requests(path: str) -> Callable[[int, int], Request]:
    def make(_index: int, _n: int) -> Request:
        return Request("GET", path)

    return make
