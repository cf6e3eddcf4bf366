"""What a response costs to store, alone or in a group of N sharing one transaction.

In one process, no HTTP: ``surveys.responses.store_submissions`` with groups of 1, 2, 4,
8 and 16 tablet responses (3 ratings each), each group committed, on a new SQLite database
(or the PostgreSQL database given with ``--url``, which must be empty). Prints the wall
and CPU milliseconds per response. This is the saving that threaded workers' group commit
can reach; how large the groups get under load is printed by ``bench/load.py``.

    .venv/bin/python bench/group_commit.py
    scripts/with-postgres.sh sh -c \
        '.venv/bin/python bench/group_commit.py --url "$AVIS_TEST_PG_URL"'
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from surveys.db import make_engine, make_sessionmaker  # noqa: E402
from surveys.responses import (  # noqa: E402
    Outcome,
    PendingSubmission,
    Submission,
    TabletLimits,
    store_submissions,
)
from surveys.tablets import token_hash  # noqa: E402
from tests.production.harness import RATINGS, migrate_and_seed  # noqa: E402

TABLETS = 16


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--responses", type=int, default=1600, help="per group size")
    args = parser.parse_args(argv)
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='avis-group.')}/avis.db"
    seeded = migrate_and_seed(url, tablets=TABLETS)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    hashes = [token_hash(token) for token in seeded.tokens]
    limits = TabletLimits(0, 0)  # as in bench/load.py: 16 tablets send without pause

    def pending(n: int) -> PendingSubmission:
        submission = Submission(
            str(uuid.uuid4()),
            seeded.site,
            seeded.service,
            "kiosk",
            "fr",
            datetime.now(UTC),
            dict(RATINGS),
            None,
        )
        return PendingSubmission(submission, hashes[n % TABLETS], limits)

    def run(size: int, total: int) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        for first in range(0, total - total % size, size):
            session = factory()
            results = store_submissions(session, [pending(first + k) for k in range(size)])
            if not all(isinstance(r, Outcome) and r.status == "created" for r in results):
                raise SystemExit(f"not stored: {results}")
            session.commit()
            session.close()
        stored = total - total % size
        return (
            (time.perf_counter() - wall) / stored * 1000,
            (time.process_time() - cpu) / stored * 1000,
        )

    run(1, 200)  # warm-up: caches, compiled statements
    print(f"{engine.dialect.name}, {args.responses} responses per group size")
    for size in (1, 2, 4, 8, 16):
        wall, cpu = run(size, args.responses)
        print(f"  groups of {size:2}: {wall:.2f} ms wall, {cpu:.2f} ms CPU per response")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
