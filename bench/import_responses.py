"""Benchmark of ``avis import responses``: a year of responses from 300 sites × 6 services.

Generates a CSV of N responses (9 Qual-e-Pref criteria, some unanswered, a comment on some),
imports it into a fresh database with ``avis import responses`` run as a child process, then
imports it again (nothing new), and prints for each: wall time, rows/s, the CPU time (user +
system) and peak RSS of the child and, on PostgreSQL, the CPU time of the server processes.
Target (issue 5): 1,000,000 rows in under 3 minutes with a peak under 2 GB (2 cores).

    .venv/bin/python bench/import_responses.py                  # SQLite, 1,000,000 rows
    .venv/bin/python bench/import_responses.py --rows 100000 --check   # tallies == rebuild
    .venv/bin/python bench/import_responses.py --postgres       # starts a throwaway cluster
    .venv/bin/python bench/import_responses.py --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from surveys import migrate  # noqa: E402
from surveys.db import make_engine, session_scope  # noqa: E402
from surveys.import_sites import import_sites  # noqa: E402
from surveys.models import Criterion  # noqa: E402

SITES, SERVICES = 300, 6


def write_sites(path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["site", "site_name", "departement", "service", "service_name"])
        for s in range(SITES):
            departement = f"{1 + s % 95:02d}".replace("20", "2A")  # Corsica has no 20
            for v in range(SERVICES):
                out.writerow(
                    [f"site-{s:03d}", f"Site {s}", departement, f"svc-{v}", f"Service {v}"]
                )


def write_responses(path: Path, rows: int, criteria: list[str], seed: int = 5) -> None:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    start = datetime(2025, 1, 1, 7, tzinfo=UTC)
    seconds = 365 * 24 * 3600
    channels = ("kiosk", "qr", "web", "paper")
    languages = ("fr",) * 8 + ("en", "ar")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["response_id", "submitted_at", "site", "service", "channel", "language",
             *criteria, "comment"]
        )  # fmt: skip
        # A pool of rating rows drawn once: drawing 9 weighted ratings per row is slower
        # than the import being measured.
        pool = []
        for _ in range(4096):
            ratings = [
                ""
                if rng.random() < 0.08
                else str(rng.choices((5, 4, 3, 2, 1), (45, 35, 10, 6, 4))[0])
                for _ in criteria
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


def postgres_cpu_seconds() -> float | None:
    """Return the CPU seconds (user + system) used so far by the throwaway PostgreSQL
    cluster of ``scripts/with-postgres.sh`` (its postmaster and children), or None."""
    folder = os.environ.get("AVIS_TEST_PG_DIR")
    try:
        postmaster = (Path(folder) / "data/postmaster.pid").read_text().split()[0]
    except (OSError, TypeError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            line = stat.read_text()
        except OSError:
            continue
        fields = line[line.rindex(")") + 2 :].split()
        if stat.parent.name == postmaster:
            # Its own time and that of its children already ended (a backend ends with
            # its connection).
            total += sum(int(value) for value in fields[11:15])
        elif fields[1] == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def timed_import(url: str, path: Path) -> dict:
    """Run ``avis import responses PATH`` in a child process; return its wall time,
    CPU (user + system), peak RSS, the database server's CPU and the command's output."""
    env = {
        **os.environ,
        "AVIS_DATABASE_URL": url,
        "AVIS_SECRET_KEY": "bench",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-c", "from kiosk.cli import main; main()"]
    postgres = make_url(url).get_backend_name() == "postgresql"
    server_before = postgres_cpu_seconds() if postgres else None
    began = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own command
        [*command, "import", "responses", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the progress bar
        text=True,
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the import failed ({child.returncode}): {output}")
    server_after = postgres_cpu_seconds() if postgres else None
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "server_cpu": None if server_before is None else server_after - server_before,
        "output": output.strip(),
    }


def report(what: str, rows: int, figures: dict) -> None:
    server = figures["server_cpu"]
    print(f"{what}: {figures['output']}")
    print(
        f"  wall {figures['wall']:.1f} s, {rows / figures['wall']:,.0f} rows/s;"
        f" CPU of the import process {figures['cpu']:.1f} s"
        f" (user {figures['user']:.1f} + sys {figures['sys']:.1f});"
        f" peak RSS {figures['peak_mb']:.0f} MB"
        + ("" if server is None else f"; CPU of the PostgreSQL processes {server:.1f} s")
    )
    print(f"  load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def check_tallies(url: str) -> None:
    """Compare the tallies the import kept with a rebuild from the answers."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from surveys.models import HourTally, MixTally, RatingTally
    from surveys.tallies import rebuild_tallies

    engine = make_engine(url)
    with Session(engine) as session:

        def snapshot():
            return {
                model.__tablename__: sorted(
                    tuple(row[1:])
                    for row in session.execute(select(*model.__table__.columns)).all()
                )
                for model in (RatingTally, HourTally, MixTally)
            }

        kept = snapshot()
        rebuild_tallies(session)
        rebuilt = snapshot()
        session.rollback()
    engine.dispose()
    same = kept == rebuilt
    print(f"tallies kept by the import equal a rebuild from the answers: {same}")
    if not same:
        raise SystemExit(1)


def run(url: str, rows: int, folder: Path, check: bool = False) -> None:
    sites, responses = folder / "sites.csv", folder / "responses.csv"
    write_sites(sites)
    engine = make_engine(url)
    migrate.upgrade(engine)
    from sqlalchemy.orm import sessionmaker

    factory = sessionmaker(engine, expire_on_commit=False)
    with session_scope(factory) as session:
        import_sites(session, sites)
        # The Qual-e-Pref criteria of a fresh database, as the migrations insert them.
        higher_is_better = Criterion.lower_is_better.is_(False)
        criteria = list(
            session.scalars(select(Criterion.code).where(higher_is_better).order_by(Criterion.id))
        )
    engine.dispose()
    began = time.perf_counter()
    write_responses(responses, rows, criteria)
    print(f"generated {rows} rows ({responses.stat().st_size / 1e6:.0f} MB) "
          f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
    print(f"database: {make_url(url).get_backend_name()}; 2 cores shared; load average before:"
          f" {' '.join(f'{v:.2f}' for v in os.getloadavg())}")  # fmt: skip
    report("import", rows, timed_import(url, responses))
    report("the same file again", rows, timed_import(url, responses))
    if check:
        check_tallies(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument(
        "--check", action="store_true", help="compare the tallies with a rebuild afterwards"
    )
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
        run(url, args.rows, folder, args.check)


if __name__ == "__main__":
    main()
