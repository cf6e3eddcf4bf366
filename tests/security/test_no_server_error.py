"""Requests that an attack test saw answer 500, each now a clear refusal: whole numbers too
large for the database, days at the ends of the calendar, a time that cannot be moved to
UTC, and a criterion label that the chart library would have read as markup."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from surveys import DomainError
from surveys.indicators import parse_count
from surveys.models import (
    Action,
    Campaign,
    Criterion,
    IndicatorValue,
    Questionnaire,
    Reclamation,
    Response,
)
from tests.analysis.helpers import store
from tests.factories import make_service

from .conftest import World, login_as

HUGE = "99999999999999999999999"


@pytest.fixture
def as_role(app, world: World):
    """Return a client logged in as the given role of the security world."""

    def logged_in(role: str):
        client = app.test_client()
        login_as(client, world, role)
        return client

    return logged_in


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("quality", f"/backoffice/comments?page={HUGE}"),
        ("quality", f"/backoffice/comments?max_rating={HUGE}"),
        ("quality", "/backoffice/comments?page=-3"),
        ("admin", f"/backoffice/audit?page={HUGE}"),
        ("agent", f"/backoffice/reclamations?site={HUGE}"),
        ("agent", f"/backoffice/reclamations?site=-{HUGE}"),
        ("agent", f"/backoffice/reclamations/{HUGE}"),
        ("admin", f"/backoffice/admin/sites/{HUGE}"),
    ],
)
def test_a_whole_number_too_large_for_the_database_is_refused(as_role, role, path):
    response = as_role(role).get(path)
    assert response.status_code in (400, 404), (path, response.status_code)


def test_a_huge_page_number_is_refused_on_postgresql_too(as_role):
    # PostgreSQL's OFFSET is a bigint: (page - 1) * 50 past 2**63 was an error there.
    response = as_role("quality").get(f"/backoffice/comments?page={2**62}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/dashboard?from=0001-01-01&to=9999-12-31",
        "/backoffice/dashboard?from=9999-12-31&to=9999-12-31",
        "/backoffice/dashboard/export?format=csv&from=0001-01-01&to=0001-01-02",
        "/backoffice/comments?from=0001-01-01&to=0001-01-01",
        "/backoffice/dashboard/poster?site=92-nanterre&from=0001-01-01&to=0001-01-02",
    ],
)
def test_a_day_at_the_end_of_the_calendar_is_refused_in_the_back_office(as_role, path):
    response = as_role("quality").get(path)
    assert response.status_code == 400, (path, response.status_code)


def test_the_report_api_names_the_day_out_of_range(as_role):
    response = as_role("quality").get("/api/v1/report?from=0001-01-01&to=9999-12-31")
    assert response.status_code == 400
    assert response.json["field"] == "from"


def test_the_report_api_says_in_english_that_a_campaigns_day_is_out_of_range(as_role, db):
    # A campaign written straight into the database, as a restore or an old tool could.
    questionnaire = db.scalar(select(Questionnaire).order_by(Questionnaire.id))
    db.add(
        Campaign(
            code="old-paper",
            name="Old paper",
            questionnaire_id=questionnaire.id,
            starts_on=date(1850, 1, 1),
            ends_on=date(1850, 12, 31),
        )
    )
    db.commit()
    response = as_role("quality").get("/api/v1/report?campaign=old-paper")
    assert response.status_code == 400
    assert response.json == {
        "error": "day_range",
        "field": "from",
        "message": "from must be a date between 1900-01-01 and 2199-12-31.",
    }


def test_the_reclamation_indicators_ignore_a_day_out_of_range(as_role):
    response = as_role("quality").get("/backoffice/indicateurs?from=0001-01-01&to=9999-12-31")
    assert response.status_code == 400


def test_the_report_command_says_the_day_is_out_of_range(runner, world):
    result = runner.invoke(
        args=["report", "--from", "0001-01-01", "--to", "9999-12-31", "--format", "json"]
        + ["--out", "/dev/null"]
    )
    assert result.exit_code == 2, result.output
    assert "0001-01-01" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("submitted_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_time_that_cannot_be_told_in_utc_is_refused_without_login(client, db, submitted_at):
    make_service(db)
    db.commit()
    body = {
        "response_id": str(uuid.uuid4()),
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "web",
        "language": "fr",
        "submitted_at": submitted_at,
        "ratings": {"overall": 4},
    }
    response = client.post(
        "/api/v1/responses", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["field"] == "submitted_at"


@pytest.mark.parametrize("received_on", ["0001-01-01", "9999-12-31"], ids=["first-day", "last-day"])
def test_a_reclamation_typed_in_with_a_day_out_of_range_is_refused(as_role, received_on):
    response = as_role("agent").post(
        "/backoffice/reclamations/saisie",
        data={
            "kind": "reclamation",
            "channel": "courrier",
            "category": "reception",
            "place": "92-nanterre/accueil",
            "text": "Attente trop longue.",
            "received_on": received_on,
        },
    )
    assert response.status_code == 400


def test_a_reply_dated_at_the_end_of_the_calendar_is_refused(as_role, world, db):
    response = as_role("agent").post(
        f"/backoffice/reclamations/{world.ids['rec_id']}/reply",
        data={"answered_on": "9999-12-31", "reply_text": "Merci.", "reply_channel": "courrier"},
    )
    assert response.status_code == 303
    assert db.get(Reclamation, world.ids["rec_id"]).answered_on is None


MATH_LABEL = r"Accueil $\undefinedmacro{x}$"
MARCH = ["--from", "2026-03-01", "--to", "2026-03-31"]


@pytest.fixture
def math_label(db):
    overall = db.scalar(select(Criterion).where(Criterion.code == "overall"))
    overall.labels = {**overall.labels, "fr": MATH_LABEL}
    store(db, make_service(db), datetime(2026, 3, 10, 9, tzinfo=UTC), {"overall": 4})
    db.commit()
    db.close()


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_criterion_label_is_text_in_the_report_never_chart_markup(
    runner, math_label, tmp_path, fmt
):
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(args=["report", *MARCH, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "html":
        assert "\\undefinedmacro{x}" in out.read_text()
    else:
        assert out.read_bytes().startswith(b"%PDF")


def test_a_criterion_label_is_text_in_the_dashboards_html_download(as_role, math_label):
    response = as_role("quality").get(
        "/backoffice/dashboard/export?format=html&from=2026-03-01&to=2026-03-31"
    )
    assert response.status_code == 200
    assert "\\undefinedmacro{x}" in response.text


# Found by the route fuzz (test_route_fuzz.py): "²" is a digit to str.isdigit() but no
# number to int(), and a whole number past the database's reached a lookup by id.
@pytest.mark.parametrize(
    ("field", "value"),
    [("service_id", "²"), ("service_id", HUGE), ("year", "²"), ("due_on", "0001-01-01")],
)
def test_an_action_typed_with_a_number_or_a_day_out_of_reach_is_refused(as_role, db, field, value):
    form = {"title": "Signalétique du hall", "year": "2026", "status": "prevue", field: value}
    response = as_role("quality").post("/backoffice/actions?site=92-nanterre", data=form)
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(Action)) == 0


def test_an_action_plan_of_a_year_out_of_reach_opens_on_this_year(as_role):
    response = as_role("quality").get(f"/backoffice/actions?site=92-nanterre&year={HUGE}")
    assert response.status_code == 200


def test_a_count_typed_with_a_superscript_digit_is_refused_in_the_indicator_grid(
    as_role, world, db
):
    cell = f"c-{world.ids['site_id']}-1"
    response = as_role("quality").post(
        "/backoffice/indicateurs/saisie?indicator=calls_answered&year=2026",
        data={"indicator": "calls_answered", f"v-{world.ids['site_id']}-1": "93", cell: "²"},
    )
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(IndicatorValue)) == 0


def test_a_count_of_a_thousand_digits_is_too_large_not_a_failure():
    with pytest.raises(DomainError) as refused:
        parse_count("9" * 5000)
    assert refused.value.code == "count"


def test_assigning_a_reclamation_to_a_service_id_too_large_is_refused(as_role, world, db):
    response = as_role("agent").post(
        f"/backoffice/reclamations/{world.ids['rec_id']}/assign", data={"service_id": HUGE}
    )
    assert response.status_code == 400
    assert db.get(Reclamation, world.ids["rec_id"]).assigned_service_id is None


@pytest.mark.parametrize("filled_on", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_pile_of_paper_forms_dated_out_of_reach_is_refused(as_role, world, db, filled_on):
    # Year 1 was stored, out of every period a report can count.
    client = as_role("agent")
    response = client.post(
        "/backoffice/questionnaires/saisie",
        data={"action": "pile", "service": world.ids["service_id"], "filled_on": filled_on},
    )
    assert response.status_code == 400
    client.post(
        "/backoffice/questionnaires/saisie",
        data={"response_id": str(uuid.uuid4()), "rating_overall": "4"},
    )
    assert (
        db.scalar(select(func.count()).select_from(Response).where(Response.channel == "paper"))
        == 0
    )


def test_a_reply_template_id_too_large_is_refused(as_role, world):
    response = as_role("agent").get(
        f"/backoffice/reclamations/{world.ids['rec_id']}?template={HUGE}"
    )
    assert response.status_code == 400
