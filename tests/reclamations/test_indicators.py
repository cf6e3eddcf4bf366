"""The Qual-e-Pref indicators of réclamations, on hand-counted data."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from analysis.reclamations import reclamation_indicator_details, reclamation_indicators
from surveys.models import Reclamation, ReclamationCategory
from tests.factories import make_service, make_site


def _category(db, code):
    return db.scalar(select(ReclamationCategory).where(ReclamationCategory.code == code))


def _add(
    db,
    service,
    *,
    received_on,
    due_on,
    answered_on=None,
    kind="reclamation",
    category="waiting_time",
    reply_wanted=True,
    status=None,
):
    rec = Reclamation(
        reference=uuid.uuid4().hex[:12],
        kind=kind,
        channel="courriel",
        category_id=_category(db, category).id,
        site_id=service.site_id,
        service_id=service.id,
        received_on=received_on,
        due_on=due_on,
        text="texte",
        reply_wanted=reply_wanted,
        reply_expected=reply_wanted and kind != "remerciement",
        answered_on=answered_on,
        status=status or ("answered" if answered_on else "new"),
    )
    db.add(rec)
    db.flush()
    return rec


def test_in_time_rate_counts_answered_and_overdue_but_not_pending(db):
    nanterre = make_service(db, make_site(db))
    antony = make_service(db, make_site(db, code="92-antony", name="Antony"))
    # Thu 6 April 2023, due Fri 14 April (Easter Monday skipped).
    received, due = date(2023, 4, 6), date(2023, 4, 14)
    _add(db, nanterre, received_on=received, due_on=due, answered_on=date(2023, 4, 14))  # 5 wd
    _add(db, nanterre, received_on=received, due_on=due, answered_on=date(2023, 4, 17))  # 6 wd
    _add(db, nanterre, received_on=received, due_on=due)  # overdue on the 20th
    _add(
        db,
        nanterre,
        received_on=received,
        due_on=due,
        kind="remerciement",
        category="reception",
        reply_wanted=False,
    )
    _add(db, nanterre, received_on=received, due_on=due, reply_wanted=False)  # anonymous
    # Antony: received on the 18th, due the 25th: still pending on the 20th.
    _add(db, antony, received_on=date(2023, 4, 18), due_on=date(2023, 4, 25), category="premises")
    db.commit()

    rows = reclamation_indicators(db, date(2023, 4, 1), date(2023, 4, 30), None, date(2023, 4, 20))

    by_site = {row["site"]: row for row in rows}
    assert list(by_site) == ["92-antony", "92-nanterre", None]
    nanterre_row = by_site["92-nanterre"]
    assert nanterre_row["received"] == 5
    assert nanterre_row["answered_in_time"] == 1
    assert nanterre_row["in_time_rate"] == round(1 / 3, 4)
    assert nanterre_row["mean_delay_working_days"] == 5.5
    assert nanterre_row["by_category"] == {"waiting_time": 0.8, "reception": 0.2}
    antony_row = by_site["92-antony"]
    assert antony_row["received"] == 1
    assert antony_row["in_time_rate"] is None
    assert antony_row["mean_delay_working_days"] is None
    total = by_site[None]
    assert total["received"] == 6
    assert total["in_time_rate"] == round(1 / 3, 4)
    assert total["by_category"] == {
        "waiting_time": round(4 / 6, 4),
        "reception": round(1 / 6, 4),
        "premises": round(1 / 6, 4),
    }
    assert set(total) == {
        "site",
        "service",
        "received",
        "answered_in_time",
        "in_time_rate",
        "mean_delay_working_days",
        "by_category",
    }


def test_details_give_kinds_open_overdue_and_targets(db):
    service = make_service(db)
    received, due = date(2023, 4, 6), date(2023, 4, 14)
    _add(db, service, received_on=received, due_on=due, answered_on=date(2023, 4, 7))
    _add(db, service, received_on=received, due_on=due)
    _add(db, service, received_on=received, due_on=due, kind="suggestion", category="other")
    db.commit()

    total = reclamation_indicator_details(
        db, date(2023, 4, 1), date(2023, 4, 30), ["92-nanterre"], date(2023, 4, 20)
    )[-1]

    assert total["by_kind"] == {"suggestion": 1, "reclamation": 2, "remerciement": 0}
    assert total["answered"] == 1
    assert total["open"] == 2
    assert total["overdue"] == 2
    assert total["in_time_rate"] == round(1 / 3, 4)
    assert total["meets_in_time_target"] is False
    assert total["mean_delay_working_days"] == 1
    assert total["meets_delay_target"] is True


def test_period_and_site_filter_leave_out_the_rest(db):
    nanterre = make_service(db, make_site(db))
    antony = make_service(db, make_site(db, code="92-antony", name="Antony"))
    _add(db, nanterre, received_on=date(2023, 3, 31), due_on=date(2023, 4, 7))
    _add(db, antony, received_on=date(2023, 4, 3), due_on=date(2023, 4, 7))
    db.commit()

    rows = reclamation_indicators(
        db, date(2023, 4, 1), date(2023, 4, 30), ["92-nanterre"], date(2023, 5, 1)
    )

    assert [(row["site"], row["received"]) for row in rows] == [("92-nanterre", 0), (None, 0)]
    assert rows[0]["by_category"] == {}


def test_service_filter_counts_that_service_only_and_zero_where_it_received_nothing(db):
    # Boulogne: 3 at the accueil (2 answered in time of 2 expected, 1 late), none at CERT.
    # Antony: 2 at the étrangers, 1 at the accueil.
    boulogne = make_site(db, code="92-boulogne", name="Boulogne")
    accueil = make_service(db, boulogne, "accueil")
    make_service(db, boulogne, "cert", "CERT")
    antony = make_site(db, code="92-antony", name="Antony")
    etrangers = make_service(db, antony, "etrangers", "Étrangers")
    antony_accueil = make_service(db, antony, "accueil")
    received, due = date(2023, 4, 6), date(2023, 4, 14)
    _add(db, accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 7))  # 1 wd
    _add(db, accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 11))  # 2 wd
    _add(db, accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 19))  # 8 wd
    _add(db, etrangers, received_on=received, due_on=due, answered_on=date(2023, 4, 12))  # 3 wd
    _add(db, etrangers, received_on=received, due_on=due, category="appointment")  # overdue
    _add(db, antony_accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 7))
    db.commit()
    period = (date(2023, 4, 1), date(2023, 4, 30))

    cert = reclamation_indicators(
        db, *period, ["92-boulogne"], date(2023, 5, 2), service_codes=["cert"]
    )
    assert [(r["site"], r["received"], r["in_time_rate"]) for r in cert] == [
        ("92-boulogne", 0, None),
        (None, 0, None),
    ]
    assert cert[0]["mean_delay_working_days"] is None

    foreigners = reclamation_indicators(
        db, *period, None, date(2023, 5, 2), service_codes=["etrangers"]
    )
    by_site = {r["site"]: r for r in foreigners}
    assert by_site["92-antony"]["received"] == 2  # not the site's 3
    assert by_site["92-antony"]["in_time_rate"] == 0.5  # 1 in time of 1 answered + 1 overdue
    assert by_site["92-antony"]["mean_delay_working_days"] == 3
    assert by_site["92-antony"]["by_category"] == {"waiting_time": 0.5, "appointment": 0.5}
    assert by_site["92-boulogne"]["received"] == 0
    assert by_site[None]["received"] == 2


def test_rows_per_service_follow_their_site_and_add_up_to_it(db):
    boulogne = make_site(db, code="92-boulogne", name="Boulogne")
    accueil = make_service(db, boulogne, "accueil")
    make_service(db, boulogne, "cert", "CERT")
    received, due = date(2023, 4, 6), date(2023, 4, 14)
    _add(db, accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 7))
    _add(db, accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 19))
    site_wide = _add(db, accueil, received_on=received, due_on=due, answered_on=date(2023, 4, 7))
    site_wide.service_id = None  # a letter for the sous-préfecture as a whole
    db.commit()

    rows = reclamation_indicators(
        db, date(2023, 4, 1), date(2023, 4, 30), None, date(2023, 5, 2), services=True
    )

    # A service that received nothing has no row; the site row counts the letter too.
    assert [(r["site"], r["service"], r["received"], r["answered_in_time"]) for r in rows] == [
        ("92-boulogne", None, 3, 2),
        ("92-boulogne", "accueil", 2, 1),
        (None, None, 3, 2),
    ]
    assert rows[1]["in_time_rate"] == 0.5
    assert rows[1]["mean_delay_working_days"] == 4.5  # (1 + 8) / 2, Easter Monday
