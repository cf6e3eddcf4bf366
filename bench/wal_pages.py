"""Pages of SQLite write-ahead log that one stored response writes, by table and index.

Stores ``--before`` responses through the API (Flask test client, one process), then
``--responses`` more with checkpoints off, and reads the page number of every frame in
the log: each page a commit changes is written whole, so this is the volume that the
checkpoints then copy and flush to disk.

    .venv/bin/python bench/wal_pages.py [--before 5000] [--responses 1000]
"""

from __future__ import annotations

import argparse
import collections
import os
import sqlite3
import struct
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.production.harness import (  # noqa: E402
    app_environment,
    migrate_and_seed,
    response_requests,
)

WAL_HEADER = 32
FRAME_HEADER = 24


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=int, default=5000)
    parser.add_argument("--responses", type=int, default=1000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="avis-wal."))
    path = work / "avis.db"
    url = f"sqlite:///{path}"
    seeded = migrate_and_seed(url, tablets=16)
    os.environ.update(app_environment(url, work / "instance"))
    os.environ["AVIS_SQLITE_CHECKPOINT_SECONDS"] = "0"
    from sqlalchemy import event

    from kiosk import create_app

    app = create_app()
    engine = app.extensions["avis_engine"]

    @event.listens_for(engine, "connect")
    def _no_checkpoints(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    engine.dispose()
    client = app.test_client()
    make = response_requests(seeded)

    def post(n: int) -> None:
        request = make(n % len(seeded.tokens), n)
        answer = client.post(
            "/api/v1/responses",
            data=request.body,
            headers={**request.headers, "Content-Type": "application/json"},
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)

    for n in range(args.before):
        post(n)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    for n in range(args.before, args.before + args.responses):
        post(n)
    log = (work / "avis.db-wal").read_bytes()
    pages: collections.Counter[int] = collections.Counter()
    for offset in range(WAL_HEADER, len(log) - FRAME_HEADER, FRAME_HEADER + page_size):
        pages[struct.unpack(">I", log[offset : offset + 4])[0]] += 1
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        owner = dict(connection.execute("SELECT pageno, name FROM dbstat"))
    by_name: collections.Counter[str] = collections.Counter()
    for page, frames in pages.items():
        by_name[owner.get(page, "(freed)")] += frames
    total = sum(pages.values())
    print(
        f"{args.responses} responses after {args.before}, {page_size}-byte pages: "
        f"{total / args.responses:.1f} pages, {len(log) / args.responses / 1024:.1f} KiB "
        "of write-ahead log per response"
    )
    for name, frames in by_name.most_common():
        print(f"  {name:36s} {frames / args.responses:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
