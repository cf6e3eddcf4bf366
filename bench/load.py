"""Load bench: gunicorn (2 workers, deploy/gunicorn.conf.py) on the SQLite default, then on
PostgreSQL; 16 connections for 20 s of ``POST /api/v1/responses`` (tablets' bearer tokens,
a new response id each time), and the same on ``/healthz`` (the framework's ceiling on this
machine). Prints requests/s, p50/p99 latency, errors and rows stored, and checks the targets:
stored rows == acknowledged requests, p99 < 50 ms, throughput >= 60 % of /healthz.

    .venv/bin/python bench/load.py [--duration 20] [--concurrency 16]
                                   [--databases sqlite,postgresql]

The client (asyncio, one process) runs on the same machine and takes part of its CPU.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.production.harness import (  # noqa: E402
    Gunicorn,
    PostgresCluster,
    app_environment,
    count_rows,
    get_requests,
    migrate_and_seed,
    response_requests,
    run_load,
)

TARGET_P99 = 0.050
TARGET_SHARE = 0.60


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
        server = Gunicorn(env, workers=args.workers, threads=args.threads)
        # Warm up both endpoints: each worker's first responses load the reference cache,
        # compile statements and (PostgreSQL) prepare them, once in a process's life.
        run_load([server.port], get_requests("/healthz"), concurrency=4, duration=1.0)
        run_load([server.port], response_requests(seeded), concurrency=4, duration=1.0)
        # The client's own garbage collector would stop all 16 connections at once now and
        # then, and count its pause as the server's latency.
        gc.disable()
        trivial = run_load(
            [server.port],
            get_requests("/healthz"),
            concurrency=args.concurrency,
            duration=args.duration,
        )
        before = count_rows(url, "response")
        responses = run_load(
            [server.port],
            response_requests(seeded),
            concurrency=args.concurrency,
            duration=args.duration,
        )
        gc.enable()
        stored = count_rows(url, "response") - before
        answers = count_rows(url, "answer")
        cpu = cpu_cost(url, seeded, env)
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.destroy()
    acknowledged = responses.statuses.get(201, 0)
    share = responses.rate / trivial.rate if trivial.rate else 0.0
    row = {
        "database": kind,
        "workers": args.workers,
        "threads": args.threads,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "healthz": _figures(trivial),
        "responses": _figures(responses),
        "acknowledged": acknowledged,
        "stored": stored,
        "answers_stored": answers,
        "share_of_healthz": round(share, 3),
        "cpu_ms_per_request": cpu,
        "targets": {
            "stored_equals_acknowledged": stored == acknowledged,
            "p99_under_50ms": responses.percentile(99) < TARGET_P99,
            "throughput_60pct_of_healthz": share >= TARGET_SHARE,
        },
    }
    print(
        f"\n== {kind} (gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.concurrency} connections, "
        f"{args.duration:.0f} s each)"
    )
    print(f"  GET  /healthz           {trivial.summary()}")
    print(f"  POST /api/v1/responses  {responses.summary()}")
    print(
        f"  acknowledged (201) {acknowledged}, rows stored {stored}, answers {answers}; "
        f"throughput {share:.0%} of /healthz"
    )
    print(
        f"  CPU per request in one process: /healthz {cpu['healthz']} ms, "
        f"POST /api/v1/responses {cpu['responses']} ms "
        f"(ratio {cpu['healthz'] / cpu['responses']:.0%})"
    )
    for name, ok in row["targets"].items():
        print(f"  target {name:30s} {'met' if ok else 'MISSED'}")
    return row


def cpu_cost(url: str, seeded, env: dict[str, str], n: int = 300) -> dict[str, float]:
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
    make = response_requests(seeded)
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
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--workdir",
        default=None,
        help="folder for the SQLite database (e.g. /dev/shm, to set the disk aside)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load.json")
    args = parser.parse_args(argv)
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
