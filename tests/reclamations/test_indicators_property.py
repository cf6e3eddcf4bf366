"""The grouped SQL indicators equal a plain one-by-one count of the same réclamations."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from analysis.reclamations import reclamation_indicator_details
from surveys.calendar import reply_deadline, working_days_between
from surveys.models import Reclamation, ReclamationCategory, ReclamationEvent
from tests.factories import make_service, make_site

TODAY = date(2024, 3, 1)
START = date(2024, 1, 1)

one = st.fixed_dictionaries(
    {
        "site": st.sampled_from(["92-nanterre", "57-metz"]),
        "kind": st.sampled_from(["suggestion", "reclamation", "remerciement"]),
        "channel": st.sampled_from(["courriel", "courrier", "kiosk"]),
        "category": st.sampled_from(["waiting_time", "appointment", "other"]),
        "day": st.integers(0, 50),
        # Answered around the deadline (calendar days from it), where in time turns late.
        "offset": st.none() | st.integers(-8, 3),
        "wanted": st.booleans(),
    }
)


def _naive(rows: list[dict], departements: dict[str, str]) -> dict:
    answered = [r for r in rows if r["answered_on"]]
    expecting = [r for r in rows if r["kind"] != "remerciement" and r["wanted"]]
    counted = [r for r in expecting if r["answered_on"] or r["due_on"] < TODAY]
    in_time = [r for r in counted if r["answered_on"] and r["answered_on"] <= r["due_on"]]
    delays = [
        working_days_between(r["received_on"], r["answered_on"], departements[r["site"]])
        for r in answered
    ]
    return {
        "received": len(rows),
        "answered": len(answered),
        "answered_in_time": len(in_time),
        "counted_for_rate": len(counted),
        "in_time_rate": round(len(in_time) / len(counted), 4) if counted else None,
        "mean_delay_working_days": round(sum(delays) / len(delays), 2) if delays else None,
    }


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(one, max_size=25))
def test_grouped_indicators_equal_a_one_by_one_count(db, items):
    departements = {"92-nanterre": "92", "57-metz": "57"}
    services = {
        "92-nanterre": make_service(db, make_site(db)),
        "57-metz": make_service(db, make_site(db, code="57-metz", name="Metz", departement="57")),
    }
    categories = {c.code: c.id for c in db.scalars(select(ReclamationCategory))}
    db.execute(delete(ReclamationEvent))
    db.execute(delete(Reclamation))
    rows = []
    for item in items:
        received = START + timedelta(days=item["day"])
        due = reply_deadline(received, item["channel"], departements[item["site"]])
        answered = None
        if item["offset"] is not None:
            answered = max(received, due + timedelta(days=item["offset"]))
            if answered > TODAY:
                answered = None
        rows.append({**item, "received_on": received, "answered_on": answered, "due_on": due})
        db.add(
            Reclamation(
                reference=uuid.uuid4().hex[:16],
                kind=item["kind"],
                channel=item["channel"],
                category_id=categories[item["category"]],
                site_id=services[item["site"]].site_id,
                service_id=services[item["site"]].id,
                received_on=received,
                due_on=due,
                text="t",
                reply_wanted=item["wanted"],
                reply_expected=False,
                answered_on=answered,
                status="answered" if answered else "new",
            )
        )
    db.flush()

    result = reclamation_indicator_details(db, START, TODAY, None, TODAY)

    for row in result:
        subset = [r for r in rows if row["site"] is None or r["site"] == row["site"]]
        expected = _naive(subset, departements)
        assert {key: row[key] for key in expected} == expected
    db.rollback()
