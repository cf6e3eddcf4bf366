"""Benchmark of the réclamation indicators: N réclamations (default 30,000, about eighty
times the 376 a year of the Hauts-de-Seine préfecture) over three sites in two calendars
(92 and Moselle), one year; times ``reclamation_indicators`` (the report rows) and
``reclamation_indicator_details`` (the back-office page) on a fresh SQLite file.

    .venv/bin/python bench/reclamations.py
    .venv/bin/python bench/reclamations.py --rows 100000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from analysis.reclamations import reclamation_indicator_details, reclamation_indicators
from surveys import migrate
from surveys.calendar import reply_deadline
from surveys.db import make_engine, make_sessionmaker
from surveys.models import Reclamation, ReclamationCategory, Service, Site


def build(session, rows: int) -> None:
    sites = []
    for code, departement in (("92-nanterre", "92"), ("92-antony", "92"), ("57-metz", "57")):
        site = Site(code=code, name=code, departement=departement)
        session.add(site)
        session.flush()
        session.add(Service(site_id=site.id, code="accueil", name="Accueil"))
        sites.append(site)
    categories = list(session.scalars(select(ReclamationCategory.id)))
    rng = random.Random(1)
    batch = []
    for i in range(rows):
        site = rng.choice(sites)
        received = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        channel = rng.choice(["courriel", "courrier", "kiosk", "urne", "web"])
        answered = received + timedelta(days=rng.randrange(0, 20)) if rng.random() < 0.8 else None
        kind = rng.choice(["suggestion", "reclamation", "remerciement"])
        batch.append(
            {
                "reference": f"{site.departement}-2025-{i:06d}",
                "kind": kind,
                "channel": channel,
                "category_id": rng.choice(categories),
                "site_id": site.id,
                "received_on": received,
                "due_on": reply_deadline(received, channel, site.departement),
                "text": "texte",
                "reply_wanted": False,
                "reply_expected": kind != "remerciement",
                "answered_on": answered,
                "status": "answered" if answered else "new",
                "language": "fr",
            }
        )
    session.execute(insert(Reclamation), batch)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=30_000)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "bench.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    session = make_sessionmaker(engine)()
    build(session, args.rows)
    for function in (reclamation_indicators, reclamation_indicator_details):
        for run in ("first", "second"):
            start = time.perf_counter()
            rows = function(session, date(2025, 1, 1), date(2025, 12, 31), None, date(2026, 1, 15))
            elapsed = time.perf_counter() - start
            total = rows[-1]
            print(
                f"{function.__name__:32} {run:6} {args.rows} réclamations: {elapsed:.3f} s "
                f"(in time {total['in_time_rate']}, mean delay {total['mean_delay_working_days']})"
            )


if __name__ == "__main__":
    main()
