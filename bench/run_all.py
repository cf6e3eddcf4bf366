"""What ``make bench`` runs: every benchmark of Avis, one after the other, each printing its
own figures. ``--quick`` shortens the load bench (5 s per endpoint instead of 20 s) for a
smoke run; the figures in bench/RESULTS.md come from the full run.

    .venv/bin/python bench/run_all.py [--quick]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    short = ["--duration", "5"] if quick else []
    runs = [
        ["load.py", *short],
        # Threaded workers, for comparison with the default sync ones.
        ["load.py", "--threads", "8", "--out", "bench/out/load-threads.json", *short],
        ["wal_pages.py"],
        ["tablet_limit.py"],
        ["kiosk_turnaround.py"],
    ]
    # The report and import benches belong to their features; run them when present.
    for name in ("report.py", "import_responses.py", "import_xlsx.py"):
        if (BENCH / name).exists():
            runs.append([name])
        else:
            print(f"bench/{name}: not present, skipped")
    failures = []
    for script, *args in runs:
        print(f"\n===== bench/{script} {' '.join(args)}".rstrip(), flush=True)
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT)  # noqa: S603
        print(f"===== bench/{script}: exit {done.returncode} in {time.monotonic() - started:.0f} s")
        if done.returncode != 0:
            failures.append(script)
    if failures:
        print(f"\nfailed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
