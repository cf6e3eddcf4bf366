"""Benchmark of the reports at a national scale: 1,000,000 responses (9 criteria -> about
9 M answers), 300 sites x 6 services, one year.

For each database (SQLite, and PostgreSQL when a URL is given or AVIS_TEST_PG_URL is set,
e.g. under ``scripts/with-postgres.sh``) it builds the database with fast bulk inserts,
rebuilds the tallies with ``surveys.tallies.rebuild_tallies`` (the same counts that
``insert_responses`` keeps on write), then times:

- the year report in JSON, in process and as the whole ``avis report --format json``
  command in its own process (start-up and imports included; wall and CPU time);
- a dashboard request (``GET /backoffice/dashboard`` for the year, logged in);
- a one-site one-month report in JSON;

and prints each beside a plain in-memory pandas group-by of the same answers (the floor),
then checks that every n and satisfied of the reports equals the count from the raw answers.

    .venv/bin/python bench/report.py                       # SQLite, 1 M responses
    scripts/with-postgres.sh .venv/bin/python bench/report.py --pg-from-env
    .venv/bin/python bench/report.py --responses 50000     # a quick run
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.filters import make_filters  # noqa: E402
from kiosk.cli.reports import render_report  # noqa: E402
from surveys import migrate  # noqa: E402
from surveys.db import make_engine, make_sessionmaker, read_only_engine  # noqa: E402
from surveys.models import Criterion, Questionnaire, Service, Site, User  # noqa: E402
from surveys.tallies import rebuild_tallies  # noqa: E402

SERVICES = ["accueil", "etrangers", "naturalisations", "cert", "associations", "pan"]
YEAR = 2025
OVERSEAS = {"971": "America/Guadeloupe", "972": "America/Martinique", "974": "Indian/Reunion"}
PASSWORD = "bench password 2025!"  # noqa: S105  (a throwaway benchmark account)


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- data generation
def make_sites(session) -> tuple[pd.DataFrame, dict[str, int]]:
    rows = []
    for index in range(300):
        departement = (
            list(OVERSEAS)[index % 3]
            if index % 50 == 49
            else f"{1 + index % 95:02d}".replace("20", "2A")
        )
        zone = OVERSEAS.get(departement, "Europe/Paris")
        site = Site(
            code=f"s{index:03d}", name=f"Site {index:03d}", departement=departement, timezone=zone
        )
        session.add(site)
        session.flush()
        for code in SERVICES:
            service = Service(site_id=site.id, code=code, name=code)
            session.add(service)
            session.flush()
            rows.append((site.id, site.code, zone, service.id, code))
    criteria = dict(session.execute(select(Criterion.code, Criterion.id)).all())
    session.commit()
    frame = pd.DataFrame(rows, columns=["site_id", "site", "zone", "service_id", "service"])
    return frame, criteria


def generate(n: int, services: pd.DataFrame, criteria: dict[str, int], seed: int = 5):
    """Return (responses, answers) frames: realistic, deterministic."""
    rng = np.random.default_rng(seed)
    # Bigger sites and the reception desk get more usagers.
    weights = rng.pareto(1.5, len(services)) + 0.2
    weights[services["service"].to_numpy() == "accueil"] *= 3
    pick = rng.choice(len(services), size=n, p=weights / weights.sum())
    responses = services.iloc[pick].reset_index(drop=True)
    responses.insert(0, "id", np.arange(1, n + 1))
    days = rng.choice(365, size=n, p=_day_weights())
    seconds = rng.integers(6 * 3600, 17 * 3600, size=n)
    start = np.datetime64(f"{YEAR}-01-01T00:00:00")
    responses["submitted_at"] = (
        start + days.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    )
    responses["channel"] = rng.choice(["kiosk", "qr", "web", "paper"], n, p=[0.55, 0.3, 0.1, 0.05])
    responses["language"] = rng.choice(
        ["fr", "en", "ar", "es", "pt", "ru", "uk", "tr", "ro", "zh"],
        n,
        p=[0.82, 0.04, 0.05, 0.01, 0.01, 0.01, 0.02, 0.02, 0.01, 0.01],
    )
    has_comment = rng.random(n) < 0.06
    responses["comment"] = np.where(
        has_comment, "Merci pour l'accueil, mais l'attente est longue.", None
    )
    quality = rng.normal(0, 0.5, len(services))[pick]
    parts = []
    for position, (code, criterion_id) in enumerate(sorted(criteria.items())):
        base = 2.2 if code == "effort" else 3.7 + 0.1 * (position % 4)
        value = rng.normal(base + (-quality if code == "effort" else quality), 1.0)
        rating = np.clip(np.rint(value), 1, 5).astype(np.int8)
        answered = rng.random(n) > 0.07
        parts.append(
            pd.DataFrame(
                {
                    "response_id": responses["id"].to_numpy()[answered],
                    "criterion_id": np.int16(criterion_id),
                    "rating": rating[answered],
                }
            )
        )
    answers = pd.concat(parts, ignore_index=True).sort_values(["response_id", "criterion_id"])
    return responses, answers.reset_index(drop=True)


def _day_weights() -> np.ndarray:
    weekdays = np.array([(date(YEAR, 1, 1).toordinal() + d) % 7 for d in range(365)])
    # toordinal() % 7: 0 = Sunday ... 6 = Saturday; weekends see few usagers.
    weights = np.where((weekdays == 0) | (weekdays == 6), 0.05, 1.0)
    return weights / weights.sum()


# ---------------------------------------------------------------- bulk load
def load(engine, responses: pd.DataFrame, answers: pd.DataFrame, questionnaire_id: int) -> None:
    n = len(responses)
    uuids = [f"00000000-0000-4000-8000-{i:012x}" for i in responses["id"]]
    stamps = pd.to_datetime(responses["submitted_at"])
    if engine.dialect.name == "sqlite":
        texts = stamps.dt.strftime("%Y-%m-%d %H:%M:%S.000000").tolist()
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(
                "INSERT INTO response (id, response_id, site_id, service_id, channel, language,"
                " submitted_at, received_at, questionnaire_id, comment, finished)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                zip(
                    responses["id"].tolist(),
                    uuids,
                    responses["site_id"].tolist(),
                    responses["service_id"].tolist(),
                    responses["channel"].tolist(),
                    responses["language"].tolist(),
                    texts,
                    texts,
                    [questionnaire_id] * n,
                    responses["comment"].tolist(),
                    strict=True,
                ),
            )
            cursor.executemany(
                "INSERT INTO answer (response_id, criterion_id, rating) VALUES (?,?,?)",
                answers.itertuples(index=False, name=None),
            )
            cursor.execute("COMMIT")
        finally:
            raw.close()
        return
    frame = pd.DataFrame(
        {
            "id": responses["id"],
            "response_id": uuids,
            "site_id": responses["site_id"],
            "service_id": responses["service_id"],
            "channel": responses["channel"],
            "language": responses["language"],
            "submitted_at": stamps.dt.strftime("%Y-%m-%d %H:%M:%S+00"),
            "received_at": stamps.dt.strftime("%Y-%m-%d %H:%M:%S+00"),
            "questionnaire_id": questionnaire_id,
            "comment": responses["comment"],
            "finished": True,
        }
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _copy(cursor, "response", frame)
        _copy(cursor, "answer", answers[["response_id", "criterion_id", "rating"]])
        cursor.execute("SELECT setval('response_id_seq', (SELECT max(id) FROM response))")
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _copy(cursor, table: str, frame: pd.DataFrame, chunk: int = 500_000) -> None:
    columns = ", ".join(frame.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        for offset in range(0, len(frame), chunk):
            buffer = io.StringIO()
            frame.iloc[offset : offset + chunk].to_csv(buffer, header=False, index=False)
            copy.write(buffer.getvalue())


# ---------------------------------------------------------------- the floor and the check
def local_dates(responses: pd.DataFrame) -> pd.Series:
    stamps = pd.to_datetime(responses["submitted_at"]).dt.tz_localize(UTC)
    result = pd.Series(index=responses.index, dtype="object")
    for zone in responses["zone"].unique():
        mask = responses["zone"] == zone
        result[mask] = stamps[mask].dt.tz_convert(zone).dt.date
    return result


def pandas_floor(frame: pd.DataFrame, lower: set[int]) -> pd.DataFrame:
    """The plain in-memory group-by: n and satisfied per (site, service, criterion)."""
    good = np.where(frame["criterion_id"].isin(lower), frame["rating"] <= 2, frame["rating"] >= 4)
    return (
        frame.assign(good=good)
        .groupby(["site", "service", "criterion_id"])["good"]
        .agg(["size", "sum"])
    )


def expected_rows(grouped: pd.DataFrame, codes: dict[int, str]) -> dict:
    rows = {}
    levels = [
        grouped,
        grouped.groupby(level=["site", "criterion_id"]).sum(),
        grouped.groupby(level=["criterion_id"]).sum(),
    ]
    for depth, level in enumerate(levels):
        for key, (size, good) in level.iterrows():
            key = key if isinstance(key, tuple) else (key,)
            if depth == 0:
                site, service, criterion = key
            elif depth == 1:
                (site, criterion), service = key, None
            else:
                (criterion,), site, service = key, None, None
            rows[(site, service, codes[criterion])] = (int(size), int(good))
    return rows


def check(document: dict, expected: dict) -> None:
    got = {
        (r["site"], r["service"], r["criterion"]): (r["n"], r["satisfied"])
        for r in document["satisfaction"]
    }
    if got != expected:
        missing = set(expected) ^ set(got)
        wrong = [k for k in expected if k in got and got[k] != expected[k]][:5]
        raise SystemExit(f"MISMATCH: {len(missing)} keys differ, e.g. wrong {wrong}")


def timed(function, repeat: int = 3) -> tuple[float, object]:
    """Return (median wall time, result); the median CPU time of this process is kept in
    CPU_TIMES, since on a shared machine the wall time also measures the neighbours."""
    function()  # warm the caches, as a dashboard in use would be
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_TIMES.append(statistics.median(cpu))
    return statistics.median(times), result


CPU_TIMES: list[float] = []


def avis_command() -> list[str]:
    """The ``avis`` console script beside this Python (``make bench`` runs the venv's),
    else ``python -m kiosk.cli``: the command as an operator types it, start-up included."""
    script = Path(sys.executable).with_name("avis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kiosk.cli"]


def whole_command(url: str, period: tuple[date, date], out: Path, repeat: int = 3):
    """Return the median (wall, CPU) time of ``avis report --format json`` over ``period``
    run as a separate process: start-up, imports, report and file. CPU is the child's user
    + system time (the PostgreSQL server's own work is not in it, but is in the wall)."""
    # The same packages as this process (a worktree's before the installed ones), and the
    # database named by the URL whatever the environment says.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "AVIS_DATABASE_URL": url, "PYTHONPATH": path}
    command = [*avis_command(), "report", "--from", str(period[0]), "--to", str(period[1])]
    command += ["--format", "json", "--out", str(out)]
    walls, cpus = [], []
    for attempt in range(repeat + 1):  # the first warms the page cache and the .pyc files
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if attempt:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


# ---------------------------------------------------------------- one database
def run(url: str, responses: pd.DataFrame, answers: pd.DataFrame, services, criteria, args):
    label = make_url(url).get_backend_name()
    log(f"\n=== {label}: {url.split('@')[-1]}")
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    if args.reuse:
        log("reusing the database built by an earlier run (same seed, same data)")
        with factory() as session:
            existing = session.execute(
                select(Site.code, Service.code).join(Service, Service.site_id == Site.id)
            ).all()
            criteria = dict(session.execute(select(Criterion.code, Criterion.id)).all())
        assert len(existing) == len(services), "--reuse needs a database built by this script"
    else:
        migrate.upgrade(engine)
        with factory() as session:
            sites, criteria = make_sites(session)
            questionnaire_id = session.scalar(
                select(Questionnaire.id).where(Questionnaire.is_default.is_(True))
            )
        # Site and service ids from the database (same order as ``services``).
        keys = zip(services["site"], services["service"], strict=True)
        ids = dict(zip(keys, zip(sites["site_id"], sites["service_id"], strict=True), strict=True))
        responses = responses.copy()
        pairs = list(zip(responses["site"], responses["service"], strict=True))
        responses["site_id"] = [ids[p][0] for p in pairs]
        responses["service_id"] = [ids[p][1] for p in pairs]
        start = time.perf_counter()
        load(engine, responses, answers, questionnaire_id)
        log(
            f"bulk load of {len(responses):,} responses, {len(answers):,} answers: "
            f"{time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        with factory() as session:
            rebuild_tallies(session)
            session.commit()
        log(f"rebuild_tallies: {time.perf_counter() - start:.1f} s")
    if label == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    with engine.connect() as conn:
        sizes = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("tally_rating", "tally_hour", "tally_mix")
        }
    log(f"tally rows: {sizes}")

    reader = make_sessionmaker(read_only_engine(engine))
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    month = (date(YEAR, 3, 1), date(YEAR, 3, 31))
    site = "s000"

    def report(date_from, date_to, sites=None):
        with reader() as session:
            filters = make_filters(session, date_from=date_from, date_to=date_to, site_codes=sites)
            return json.loads(render_report(session, filters, "json", "fr"))

    year_time, year_doc = timed(lambda: report(*year))
    year_cpu = CPU_TIMES[-1]
    log(f"year report JSON (in process): {year_time:.3f} s (cpu {year_cpu:.3f} s)")
    month_time, month_doc = timed(lambda: report(*month, [site]))
    month_cpu = CPU_TIMES[-1]
    log(f"one site, one month JSON: {month_time:.3f} s (cpu {month_cpu:.3f} s)")

    os.environ["AVIS_DATABASE_URL"] = url
    from kiosk import create_app
    from surveys.users import create_user

    app = create_app(
        {
            "TESTING": True,
            "AVIS_DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    with factory() as session:
        if not session.scalar(select(User).where(User.email == "bench@example.org")):
            create_user(
                session, email="bench@example.org", name="Bench", role="quality", password=PASSWORD
            )
            session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"email": "bench@example.org", "password": PASSWORD})
    dash_url = f"/backoffice/dashboard?from={year[0]}&to={year[1]}"

    def dashboard():
        answer = client.get(dash_url)
        assert answer.status_code == 200, answer.status_code
        return answer

    dash_time, _ = timed(dashboard)
    dash_cpu = CPU_TIMES[-1]
    log(f"dashboard request: {dash_time:.3f} s (cpu {dash_cpu:.3f} s)")
    out = Path(args.workdir) / f"year-{label}.json"
    cli_time, cli_cpu = whole_command(url, year, out)
    log(f"avis report --format json (whole command): {cli_time:.3f} s (cpu {cli_cpu:.3f} s)")

    # The floor: pandas over the answers already in memory.
    lower = {cid for code, cid in criteria.items() if code == "effort"}
    codes = {cid: code for code, cid in criteria.items()}
    frame = answers.merge(
        responses[["id", "site", "service", "local_date"]], left_on="response_id", right_on="id"
    )
    floor_year, grouped_year = timed(lambda: pandas_floor(frame, lower))
    in_month = frame[
        (frame["site"] == site)
        & (frame["local_date"] >= month[0])
        & (frame["local_date"] <= month[1])
    ]
    floor_month, grouped_month = timed(
        lambda: pandas_floor(
            frame[
                (frame["site"] == site)
                & (frame["local_date"] >= month[0])
                & (frame["local_date"] <= month[1])
            ],
            lower,
        )
    )
    check(year_doc, expected_rows(grouped_year, codes))
    check(month_doc, expected_rows(pandas_floor(in_month, lower), codes))
    check(json.loads(out.read_text()), expected_rows(grouped_year, codes))
    log(f"load average: {os.getloadavg()[0]:.1f} (the machine is shared; cpu = this process)")
    log(f"{'figure':<40}{'Avis wall':>11}{'Avis cpu':>10}{'pandas floor':>14}{'target':>9}")
    for name, wall, cpu, floor, target in (
        ("year report JSON (in process)", year_time, year_cpu, floor_year, "< 2 s"),
        ("avis report --format json (whole cmd)", cli_time, cli_cpu, floor_year, "< 2 s"),
        ("dashboard request (year)", dash_time, dash_cpu, floor_year, "< 2 s"),
        ("one site, one month JSON", month_time, month_cpu, floor_month, "< 0.3 s"),
    ):
        cpu_text = f"{cpu:.3f}s" if cpu is not None else ""
        floor_text = f"{floor:.3f}s" if floor is not None else ""
        log(f"{name:<40}{wall:>10.3f}s{cpu_text:>10}{floor_text:>14}{target:>9}")
    log(
        "figures equal the counts of the raw answers: OK "
        f"({len(year_doc['satisfaction'])} year rows, {len(month_doc['satisfaction'])} month rows)"
    )
    engine.dispose()
    return {
        "year": [year_time, year_cpu],
        "cli": [cli_time, cli_cpu],
        "dashboard": [dash_time, dash_cpu],
        "month": [month_time, month_cpu],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--workdir", default="/tmp/avis-bench")  # noqa: S108
    parser.add_argument("--pg", help="an admin PostgreSQL URL (postgresql+psycopg://...)")
    parser.add_argument("--pg-from-env", action="store_true", help="use AVIS_TEST_PG_URL")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="time an existing benchmark database again"
    )
    args = parser.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)

    services = pd.DataFrame(
        [(f"s{i:03d}", s) for i in range(300) for s in SERVICES], columns=["site", "service"]
    )
    # Generation needs only codes; criterion ids are those seeded by the first migration.
    probe = f"sqlite:///{args.workdir}/probe.db"
    Path(f"{args.workdir}/probe.db").unlink(missing_ok=True)
    engine = make_engine(probe)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        criteria = dict(conn.execute(select(Criterion.code, Criterion.id)).all())
    engine.dispose()
    start = time.perf_counter()
    responses, answers = generate(args.responses, services, criteria)
    zones = {
        f"s{i:03d}": OVERSEAS.get(list(OVERSEAS)[i % 3], "") if i % 50 == 49 else "Europe/Paris"
        for i in range(300)
    }
    responses["zone"] = responses["site"].map(zones)
    responses["local_date"] = local_dates(responses)
    log(
        f"generated {len(responses):,} responses, {len(answers):,} answers "
        f"in {time.perf_counter() - start:.1f} s"
    )

    results = {}
    if not args.no_sqlite:
        path = Path(args.workdir) / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            if not args.reuse:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        results["sqlite"] = run(f"sqlite:///{path}", responses, answers, services, criteria, args)
    pg = args.pg or (os.environ.get("AVIS_TEST_PG_URL") if args.pg_from_env else None)
    if pg:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not args.reuse:
                conn.execute(text("DROP DATABASE IF EXISTS avis_bench"))
                conn.execute(text("CREATE DATABASE avis_bench"))
        admin.dispose()
        url = make_url(pg).set(database="avis_bench").render_as_string(hide_password=False)
        results["postgresql"] = run(url, responses, answers, services, criteria, args)
    log("\n" + json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
