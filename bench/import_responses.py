"""Benchmark of ``avis import responses``: a year of responses from 300 sites × 6 services.

Generates a CSV of N responses (9 Qual-e-Pref criteria, some unanswered, a comment on some),
imports it into a fresh database and prints rows/s, seconds and the peak memory (RSS).
Target (issue 5): 1,000,000 rows in under 3 minutes with a peak under 2 GB.

    .venv/bin/python bench/import_responses.py                  # SQLite, 1,000,000 rows
    .venv/bin/python bench/import_responses.py --rows 100000
    .venv/bin/python bench/import_responses.py --postgres       # starts a throwaway cluster
    .venv/bin/python bench/import_responses.py --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from surveys import schema  # noqa: E402
from surveys.db import make_engine, session_scope  # noqa: E402
from surveys.imports import import_responses, import_sites  # noqa: E402
from surveys.reference import QUALEPREF_CRITERIA  # noqa: E402

SITES, SERVICES = 300, 6


def write_sites(path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["site", "site_name", "departement", "service", "service_name"])
        for s in range(SITES):
            departement = f"{1 + s % 95:02d}"
            for v in range(SERVICES):
                out.writerow(
                    [f"site-{s:03d}", f"Site {s}", departement, f"svc-{v}", f"Service {v}"]
                )


def write_responses(path: Path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    start = datetime(2025, 1, 1, 7, tzinfo=UTC)
    seconds = 365 * 24 * 3600
    channels = ("kiosk", "qr", "web", "paper")
    languages = ("fr",) * 8 + ("en", "ar")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["response_id", "submitted_at", "site", "service", "channel", "language",
             *QUALEPREF_CRITERIA, "comment"]
        )  # fmt: skip
        # A pool of rating rows drawn once: drawing 9 weighted ratings per row is slower
        # than the import being measured.
        pool = []
        for _ in range(4096):
            ratings = [
                ""
                if rng.random() < 0.08
                else str(rng.choices((5, 4, 3, 2, 1), (45, 35, 10, 6, 4))[0])
                for _ in QUALEPREF_CRITERIA
            ]
            ratings[0] = ratings[0] or "4"
            pool.append(ratings)
        sites = [f"site-{s:03d}" for s in range(SITES)]
        services = [f"svc-{v}" for v in range(SERVICES)]
        comments = ["Très bon accueil, merci."] + [""] * 9
        randrange, choice, bits = rng.randrange, rng.choice, rng.getrandbits
        # In time order, as an export from another tool would be.
        for offset in sorted(randrange(seconds) for _ in range(rows)):
            out.writerow([
                str(uuid.UUID(int=bits(128), version=4)),
                (start + timedelta(seconds=offset)).isoformat(timespec="seconds"),
                choice(sites),
                choice(services),
                choice(channels),
                choice(languages),
                *choice(pool),
                choice(comments),
            ])  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(url: str, rows: int, folder: Path, chunk: int | None = None) -> None:
    sites, responses = folder / "sites.csv", folder / "responses.csv"
    write_sites(sites)
    began = time.perf_counter()
    write_responses(responses, rows)
    print(f"generated {rows} rows ({responses.stat().st_size / 1e6:.0f} MB) "
          f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
    engine = make_engine(url)
    schema.upgrade(engine)
    from sqlalchemy.orm import sessionmaker

    factory = sessionmaker(engine, expire_on_commit=False)
    with session_scope(factory) as session:
        import_sites(session, sites)
    rss_before = peak_rss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    with session_scope(factory) as session:
        result = import_responses(session, responses, **({"chunk": chunk} if chunk else {}))
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu
    print(f"database: {make_url(url).get_backend_name()}")
    print(
        f"imported {result.created} responses in {elapsed:.1f} s:"
        f" {result.created / elapsed:,.0f} rows/s"
    )
    print(f"CPU time of this process: {cpu:.1f} s (the database work of SQLite is in it)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (before the import: {rss_before:.0f} MB)")
    began = time.perf_counter()
    with session_scope(factory) as session:
        again = import_responses(session, responses)
    print(
        f"re-import (nothing new, {again.unchanged} unchanged): {time.perf_counter() - began:.1f} s"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--chunk", type=int, default=None, help="rows per insert")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="avis-bench-") as tmp:
        folder = Path(tmp)
        if args.database_url:
            url = args.database_url
        elif args.postgres:
            admin_url = os.environ.get("AVIS_TEST_PG_URL")
            if not admin_url:
                command = [str(ROOT / "scripts/with-postgres.sh"), sys.executable, *sys.argv]
                raise SystemExit(subprocess.call(command))  # noqa: S603
            name = f"avis_bench_{os.getpid()}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{folder / 'bench.db'}"
        run(url, args.rows, folder, args.chunk)


if __name__ == "__main__":
    main()
