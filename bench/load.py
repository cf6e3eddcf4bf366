"""Load bench: gunicorn (2 workers, deploy/gunicorn.conf.py) on the SQLite default, then on
PostgreSQL; 16 connections for 20 s of ``POST /api/v1/responses`` (tablets' bearer tokens,
a new response id each time), and the same on ``/healthz`` (the framework's ceiling on this
machine). Prints requests/s, p50/p99 latency, errors and rows stored, and checks the targets:
stored rows == acknowledged requests, p99 < 50 ms, throughput >= 60 % of /healthz. On
SQLite it also serves, with the same gunicorn settings, Flask's hello and a naive peer
(``bench/peers.py``) and prints Avis beside them: responses >= 50 % of the naive peer,
``/healthz`` >= 50 % of hello.

    .venv/bin/python bench/load.py [--duration 20] [--concurrency 16]
                                   [--databases sqlite,postgresql] [--without-write]

``--without-write`` runs the same servers with the write of a response left out (see
``bench/without_write/sitecustomize.py``): the throughput that validating and answering
alone allow, the ceiling of any storage under this worker model. Nothing is stored then.

The client runs on the same machine and takes part of its CPU: wrk (Debian's ``wrk``
package, with ``bench/load.lua``) when it is installed, a few percent of a core; otherwise
the test suite's asyncio client, which takes most of a core at these rates and so lowers
both figures (``--client python`` to compare).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.production.harness import (  # noqa: E402
    FULL_RATINGS,
    RATINGS,
    Gunicorn,
    LoadResult,
    PostgresCluster,
    app_environment,
    count_rows,
    get_requests,
    migrate_and_seed,
    response_body,
    response_requests,
    run_load,
)

TARGET_P99 = 0.050
TARGET_SHARE = 0.60
WRK_SCRIPT = ROOT / "bench" / "load.lua"


@dataclass
class WrkResult(LoadResult):
    """wrk's figures: the test suite's ``LoadResult`` (rate, errors, summary) read from
    wrk's counts and percentiles instead of each request's latency."""

    p50: float = 0.0
    p99: float = 0.0
    sent: int = 0  # POSTs written, some still unanswered when wrk stopped
    id_prefix: str = ""  # every response id of this run begins with it

    @property
    def in_flight(self) -> int:
        """POSTs sent and not answered: wrk stops without waiting for them."""
        return max(0, self.sent - self.answered)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, p: float) -> float:
        return {50: self.p50, 99: self.p99}[p]


def run_wrk(
    port: int,
    path: str,
    *,
    concurrency: int,
    duration: float,
    work: Path,
    seeded=None,
    ratings=None,
):
    """Run wrk (one thread: the servers need the cores) against ``path``; with ``seeded``,
    POST responses as its tablets, each with a new response id."""
    command = [
        "wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
        "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    nonce = ""
    if seeded is not None:
        body = work / "wrk-body.json"
        template = response_body(
            seeded, datetime.now(UTC), response_id="RESPONSE_ID", ratings=ratings or RATINGS
        )
        body.write_text(json.dumps(template))
        tokens = work / "wrk-tokens.txt"
        tokens.write_text("\n".join(seeded.tokens) + "\n")
        nonce = uuid.uuid4().hex[:8]
        command += ["--", str(body), str(tokens), nonce]
    ran = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if ran.returncode:
        raise RuntimeError(f"wrk failed ({ran.returncode}): {ran.stderr or ran.stdout}")
    output = ran.stdout
    line = next(x for x in output.splitlines() if x.startswith("AVIS-LOAD "))
    figures = json.loads(line.removeprefix("AVIS-LOAD "))
    acknowledged = {x.split()[1] for x in output.splitlines() if x.startswith("AVIS-ACK ")}
    return WrkResult(
        sent=figures["sent"],
        acknowledged=acknowledged,
        id_prefix=nonce if seeded is not None else "",
        duration=figures["duration_us"] / 1e6,
        p50=figures["p50_us"] / 1e6,
        p99=figures["p99_us"] / 1e6,
        statuses={int(k): v for k, v in figures["statuses"].items()},
        connection_errors=sum(
            figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        ),
    )


def response_ids(database_url: str, prefix: str) -> set[str]:
    """The stored response ids that begin with ``prefix`` (one wrk run's)."""
    from sqlalchemy import select

    from surveys.db import make_engine
    from surveys.models import Response

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            query = select(Response.response_id).where(Response.response_id.startswith(prefix))
            return set(connection.execute(query).scalars())
    finally:
        engine.dispose()


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.node() or 'machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load[0]:.2f} at start"
    )


def bench_database(kind: str, args: argparse.Namespace, work: Path) -> dict:
    if kind != "sqlite":
        reason = PostgresCluster.available()
        if reason:
            print(f"postgresql: skipped ({reason})")
            return {"database": kind, "skipped": reason}
    cluster = server = None
    try:
        if kind == "sqlite":
            url = f"sqlite:///{work}/sqlite/avis.db"
        else:
            # Production settings: fsync and synchronous commit on, as a préfecture runs it.
            cluster = PostgresCluster(fast=False)
            cluster.start()
            url = cluster.create_database("avis_bench")
        seeded = migrate_and_seed(url, tablets=args.concurrency)
        env = app_environment(url, work / f"instance-{kind}")
        if args.keepalive is not None:
            env["AVIS_KEEPALIVE"] = str(args.keepalive)
        if args.without_write:
            path = [str(ROOT / "bench" / "without_write"), os.environ.get("PYTHONPATH", "")]
            env["PYTHONPATH"] = os.pathsep.join(filter(None, path))
        server = Gunicorn(env, workers=args.workers, threads=args.threads)
        load = _loader(args, work, seeded, lambda: server.port)

        # Warm up both endpoints: each worker's first responses load the reference cache,
        # compile statements and (PostgreSQL) prepare them, once in a process's life.
        load("/healthz", None, 4, 1.0)
        load("/api/v1/responses", response_requests(seeded, ratings=args.rating_values), 4, 1.0)
        # The client's own garbage collector would stop all 16 connections at once now and
        # then, and count its pause as the server's latency.
        gc.disable()
        trivial = load("/healthz", None, args.concurrency, args.duration)
        before = count_rows(url, "response")
        responses = load(
            "/api/v1/responses",
            response_requests(seeded, ratings=args.rating_values),
            args.concurrency,
            args.duration,
        )
        gc.enable()
        stored = count_rows(url, "response") - before
        if args.client == "wrk":
            stored_ids = response_ids(url, responses.id_prefix)
        answers = count_rows(url, "answer")
        cpu = None if args.without_write else cpu_cost(url, seeded, env, args.rating_values)
        server.stop()
        server = None
        peers = None
        if kind == "sqlite" and args.peers and not args.without_write:
            peers = bench_peers(args, work, seeded, env)
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.destroy()
    acknowledged = responses.statuses.get(201, 0)
    if args.without_write:
        nothing_lost = None  # nothing to account for: the write is what is left out
        accounting = f"acknowledged (201) {acknowledged}, rows stored {stored} (write left out)"
    elif args.client == "wrk":
        # wrk stops without waiting for the requests in flight: the server may have stored
        # them. Every acknowledged id must be stored, and the rest be among those in flight.
        lost = len(responses.acknowledged - stored_ids)
        unacknowledged = len(stored_ids - responses.acknowledged)
        nothing_lost = (
            lost == 0
            and len(responses.acknowledged) == acknowledged
            and unacknowledged <= responses.in_flight
        )
        stored = len(stored_ids)  # the warm-up's last requests may land during the run
        accounting = (
            f"{len(stored_ids)} rows stored: the {acknowledged} acknowledged ({lost} missing) "
            f"and {unacknowledged} of the {responses.in_flight} still in flight when wrk "
            "stopped"
        )
    else:
        nothing_lost = stored == acknowledged
        accounting = f"acknowledged (201) {acknowledged}, rows stored {stored}"
    share = responses.rate / trivial.rate if trivial.rate else 0.0
    row = {
        "database": kind,
        "workers": args.workers,
        "threads": args.threads,
        "client": args.client,
        "without_write": args.without_write,
        "concurrency": args.concurrency,
        "ratings_per_response": args.ratings,
        "duration_s": args.duration,
        "healthz": _figures(trivial),
        "responses": _figures(responses),
        "acknowledged": acknowledged,
        "stored": stored,
        "accounting": accounting,
        "answers_stored": answers,
        "share_of_healthz": round(share, 3),
        "cpu_ms_per_request": cpu,
    }
    if peers is not None:
        row["peers"] = peers
    if not args.without_write:  # a ceiling to compare with, not Avis: no target is judged
        row["targets"] = {
            "stored_equals_acknowledged": nothing_lost,
            "p99_under_50ms": responses.percentile(99) < TARGET_P99,
            "throughput_60pct_of_healthz": share >= TARGET_SHARE,
        }
        if peers is not None:
            row["targets"]["responses_50pct_of_naive_peer"] = (
                responses.rate >= 0.5 * peers["naive"]["requests_per_s"]
            )
            row["targets"]["healthz_50pct_of_hello"] = (
                trivial.rate >= 0.5 * peers["hello"]["requests_per_s"]
            )
    print(
        f"\n== {kind} (gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.concurrency} connections, {args.client} client, {args.ratings} ratings, "
        f"{args.duration:.0f} s each{', WITHOUT THE WRITE' if args.without_write else ''})"
    )
    print(f"  GET  /healthz           {trivial.summary()}")
    print(f"  POST /api/v1/responses  {responses.summary()}")
    print(f"  {accounting}; answers {answers}; throughput {share:.0%} of /healthz")
    if peers is not None:
        hello, naive = peers["hello"]["requests_per_s"], peers["naive"]["requests_per_s"]
        print("  side by side, same machine, same run, same gunicorn settings (requests/s):")
        print(f"    Flask hello                   {hello:8.0f}")
        naive_p99 = peers["naive"]["p99_ms"]
        print(f"    naive peer (Flask + sqlite3)  {naive:8.0f}   p99 {naive_p99} ms")
        of_hello = trivial.rate / hello
        print(f"    Avis GET /healthz             {trivial.rate:8.0f}   {of_hello:.0%} of hello")
        print(
            f"    Avis POST /api/v1/responses   {responses.rate:8.0f}   "
            f"{responses.rate / naive:.0%} of the naive peer, p99 "
            f"{responses.percentile(99) * 1000:.1f} ms"
        )
    if cpu is not None:
        print(
            f"  CPU per request in one process: /healthz {cpu['healthz']} ms, "
            f"POST /api/v1/responses {cpu['responses']} ms "
            f"(ratio {cpu['healthz'] / cpu['responses']:.0%})"
        )
    if args.without_write:
        print("  targets not judged: the write is left out, this is the ceiling")
    for name, ok in row.get("targets", {}).items():
        print(f"  target {name:30s} {'met' if ok else 'MISSED'}")
    return row


def _loader(args, work: Path, seeded, port):
    """A function ``load(path, make, concurrency, duration)`` against the server on
    ``port()``, with wrk or the test suite's client as ``args.client`` says."""
    if args.client == "wrk":

        def load(path, make, concurrency, duration):
            return run_wrk(
                port(),
                path,
                concurrency=concurrency,
                duration=duration,
                work=work,
                seeded=seeded if make is not None else None,
                ratings=args.rating_values,
            )
    else:

        def load(path, make, concurrency, duration):
            return run_load(
                [port()], make or get_requests(path), concurrency=concurrency, duration=duration
            )

    return load


def bench_peers(args, work: Path, seeded, env: dict[str, str]) -> dict:
    """Flask's hello and the naive peer (``bench/peers.py``), served as Avis was."""
    figures = {}
    for name, path in (("hello", "/healthz"), ("naive", "/api/v1/responses")):
        peer_env = dict(env, PEER_DB=str(work / "peer.db"), PYTHONPATH=str(ROOT))
        server = Gunicorn(
            peer_env, workers=args.workers, threads=args.threads, app=f"bench.peers:{name}()"
        )
        try:
            load = _loader(args, work, seeded, lambda server=server: server.port)
            make = (
                response_requests(seeded, ratings=args.rating_values) if name == "naive" else None
            )
            load(path, make, 4, 1.0)
            gc.disable()
            result = load(path, make, args.concurrency, args.duration)
            gc.enable()
        finally:
            server.stop()
        figures[name] = _figures(result)
    return figures


def cpu_cost(url: str, seeded, env: dict[str, str], ratings, n: int = 300) -> dict[str, float]:
    """CPU milliseconds per request inside one process (Flask test client, no HTTP server):
    unlike wall-clock figures, this hardly moves when other programs share the machine."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from kiosk import create_app

        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    client = app.test_client()
    make = response_requests(seeded, ratings=ratings)
    costs = {}
    for name, call in (
        ("healthz", lambda i: client.get("/healthz")),
        (
            "responses",
            lambda i: client.post(
                "/api/v1/responses",
                data=(r := make(i % len(seeded.tokens), i)).body,
                headers={**r.headers, "Content-Type": "application/json"},
            ),
        ),
    ):
        for i in range(20):  # warm up
            call(i)
        started = time.process_time()
        for i in range(n):
            answer = call(i)
            assert answer.status_code in (200, 201), answer.get_data(as_text=True)[:200]
        costs[name] = round((time.process_time() - started) / n * 1000, 2)
    app.extensions["avis_engine"].dispose()
    return costs


def _figures(result) -> dict:
    return {
        "requests_per_s": round(result.rate, 1),
        "p50_ms": round(result.percentile(50) * 1000, 1),
        "p99_ms": round(result.percentile(99) * 1000, 1),
        "answered": result.answered,
        "errors": result.errors,
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="above 1: gthread workers")
    parser.add_argument(
        "--keepalive",
        type=int,
        default=None,
        help="gunicorn's keep-alive seconds (gthread workers; 0: a connection per request)",
    )
    parser.add_argument(
        "--ratings",
        type=int,
        choices=[3, 9],
        default=9,
        help="ratings per response: 9, every question of the default questionnaire (the "
        "targets' workload), or 3, as the figures before 2026-12-05 afternoon",
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--no-peers",
        dest="peers",
        action="store_false",
        help="leave out Flask's hello and the naive peer measured beside Avis on SQLite",
    )
    parser.add_argument(
        "--workdir",
        default=None,
        help="folder for the SQLite database (e.g. /dev/shm, to set the disk aside)",
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load client: wrk when installed (auto), or the test suite's asyncio client",
    )
    parser.add_argument(
        "--without-write",
        action="store_true",
        help="leave out the write of each response: the ceiling of any storage",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load.json")
    args = parser.parse_args(argv)
    args.rating_values = FULL_RATINGS if args.ratings == 9 else RATINGS
    if args.without_write and args.out == parser.get_default("out"):
        args.out = args.out.with_name("load-without-write.json")  # keep the real figures
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    # Stopped with TERM (a CI timeout): still stop gunicorn and the PostgreSQL cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="avis-bench.", dir=args.workdir))
    rows = []
    started = time.monotonic()
    try:
        for kind in args.databases.split(","):
            rows.append(bench_database(kind.strip(), args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2))
    print(f"\nload bench done in {time.monotonic() - started:.0f} s; figures in {args.out}")
    lost = [r for r in rows if "targets" in r and not r["targets"]["stored_equals_acknowledged"]]
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
