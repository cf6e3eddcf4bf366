"""Benchmark of XLSX workbooks: up to what size is ``avis import responses FILE.xlsx`` practical?

For each size N: generates N responses as CSV (the generator of ``bench/import_responses.py``),
imports the CSV into a fresh SQLite database, exports them with ``avis export responses --out
FILE.xlsx`` (a workbook as Avis writes it: Excel dates, one column per criterion), then imports
that workbook into another fresh database. Each command runs as a child process; the bench
prints its wall time, rows/s, CPU and peak RSS, and the sizes of both files.

    .venv/bin/python bench/import_xlsx.py                        # 10k, 50k, 100k, 250k rows
    .venv/bin/python bench/import_xlsx.py --rows 20000 --rows 80000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_responses import write_responses, write_sites  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from surveys import migrate  # noqa: E402
from surveys.db import make_engine, session_scope  # noqa: E402
from surveys.import_sites import import_sites  # noqa: E402

SIZES = (10_000, 50_000, 100_000, 250_000)


def fresh_database(url: str, sites: Path) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(sessionmaker(engine, expire_on_commit=False)) as session:
        import_sites(session, sites)
    engine.dispose()


def timed(url: str, *args: str) -> dict:
    """Run ``avis ARGS`` in a child process; return its wall time, CPU and peak RSS."""
    env = {
        **os.environ,
        "AVIS_DATABASE_URL": url,
        "AVIS_SECRET_KEY": "bench",
        "LANG": "en_GB.UTF-8",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    began = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-c", "from kiosk.cli import main; main()", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the progress bar
        text=True,
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"avis {' '.join(args)} failed: {output}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "output": output.strip().splitlines()[-1],
    }


def line(what: str, rows: int, figures: dict, size: int) -> str:
    return (
        f"| {what} | {rows:,} | {size / 1e6:.1f} MB | {figures['wall']:.1f} s "
        f"| {rows / figures['wall']:,.0f} | {figures['cpu']:.1f} s | {figures['peak_mb']:.0f} MB |"
    )


def run(rows: int, folder: Path) -> list[str]:
    sites, csv_file, workbook = folder / "sites.csv", folder / "r.csv", folder / "r.xlsx"
    write_sites(sites)
    write_responses(csv_file, rows)
    first, second = f"sqlite:///{folder / 'a.db'}", f"sqlite:///{folder / 'b.db'}"
    fresh_database(first, sites)
    fresh_database(second, sites)
    from_csv = timed(first, "import", "responses", str(csv_file))
    export = timed(first, "export", "responses", "--out", str(workbook))
    from_xlsx = timed(second, "import", "responses", str(workbook))
    print(f"{rows:,} rows: {from_xlsx['output']}", file=sys.stderr)
    return [
        line("import CSV", rows, from_csv, csv_file.stat().st_size),
        line("export XLSX", rows, export, workbook.stat().st_size),
        line("import XLSX", rows, from_xlsx, workbook.stat().st_size),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="a size (repeatable)")
    args = parser.parse_args()
    print(f"SQLite; 2 cores shared; load average before: {os.getloadavg()[0]:.2f}")
    print("| step | rows | file | wall | rows/s | CPU (user+sys) | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for rows in args.rows or SIZES:
        with tempfile.TemporaryDirectory(prefix="avis-bench-xlsx-") as tmp:
            for text in run(rows, Path(tmp)):
                print(text, flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
