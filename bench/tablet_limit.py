"""The per-tablet limit's count at a national peak, with and without the (tablet, time) index.

Fills a SQLite database with ``--responses`` responses given over the last hour by
``--tablets`` tablets, then times the count that every kiosk submission runs
(``surveys.responses._LIMIT_COUNTS``) for random tablets: first with the index of
migration 0010, then with it dropped (the plan before 0010: an hour of every tablet's
responses through ``ix_response_submitted_at``).

    .venv/bin/python bench/tablet_limit.py [--responses 400000] [--tablets 1300]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=400_000)
    parser.add_argument("--tablets", type=int, default=1300)
    parser.add_argument("--counts", type=int, default=200)
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from surveys import migrate
    from surveys.db import make_engine, make_sessionmaker
    from surveys.models import Questionnaire, Service, Site, Tablet
    from surveys.responses import _LIMIT_COUNTS

    work = Path(tempfile.mkdtemp(prefix="avis-tablet-limit."))
    engine = make_engine(f"sqlite:///{work / 'avis.db'}")
    migrate.upgrade(engine)
    session = make_sessionmaker(engine)()
    questionnaire = session.scalar(select(Questionnaire.id).where(Questionnaire.is_default))
    service = Service(
        site=Site(code="92-nanterre", name="Nanterre", departement="92", timezone="Europe/Paris"),
        code="accueil",
        name="Accueil général",
    )
    session.add(service)
    session.flush()
    tablets = [
        Tablet(uid=str(uuid.uuid4()), name=f"T{n}", site_id=service.site_id, service_id=service.id)
        for n in range(args.tablets)
    ]
    session.add_all(tablets)
    session.flush()
    tablet_ids = [tablet.id for tablet in tablets]
    site_id, service_id = service.site_id, service.id
    session.commit()
    session.close()
    now = datetime.now(UTC).replace(tzinfo=None)
    raw = engine.raw_connection()
    driver = raw.driver_connection
    driver.execute("BEGIN")
    spread = 3600 / max(args.responses // args.tablets, 1)
    driver.executemany(
        "INSERT INTO response (response_id, site_id, service_id, channel, language, "
        "submitted_at, received_at, questionnaire_id, tablet_id, finished) "
        "VALUES (?, ?, ?, 'kiosk', 'fr', ?, ?, ?, ?, 1)",
        (
            (
                str(uuid.uuid4()),
                site_id,
                service_id,
                str(now - timedelta(seconds=(n // args.tablets) * spread)),
                str(now),
                questionnaire,
                tablet_ids[n % args.tablets],
            )
            for n in range(args.responses)
        ),
    )
    driver.execute("COMMIT")
    driver.execute("ANALYZE")
    raw.close()
    print(f"{args.responses} responses of {args.tablets} tablets over one hour ({work})")

    def timed(label: str) -> None:
        compiled = _LIMIT_COUNTS.compile(dialect=engine.dialect)
        with engine.connect() as connection:
            plan = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", _params(compiled, tablet_ids[0], now)
            ).all()
            started = time.perf_counter()
            for _ in range(args.counts):
                tablet = random.choice(tablet_ids)  # noqa: S311 - a bench
                connection.exec_driver_sql(str(compiled), _params(compiled, tablet, now)).one()
            spent = (time.perf_counter() - started) / args.counts
        print(f"{label}: {spent * 1000:.3f} ms per count — {plan[-1][-1]}")

    timed("with ix_response_tablet_submitted")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_response_tablet_submitted")
    engine.dispose()  # fresh connections: no statement prepared against the old schema
    timed("without it (before 0010)")
    engine.dispose()
    return 0


def _params(compiled, tablet_id: int, now: datetime) -> tuple:
    values = {
        "tablet_id": tablet_id,
        "close_from": str(now - timedelta(seconds=5)),
        "close_to": str(now + timedelta(seconds=5)),
        "hour_from": str(now - timedelta(hours=1)),
        "when": str(now),
        "earliest": str(now - timedelta(hours=1)),
        "rid": str(uuid.uuid4()),
    }
    filled = compiled.construct_params(values)
    return tuple(filled[name] for name in compiled.positiontup)


if __name__ == "__main__":
    raise SystemExit(main())
