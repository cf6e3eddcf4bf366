"""Paper questionnaires typed in the back office: the pile chosen once, each form stored
once under the questionnaire of its date, with channel ``paper``, within the agent's scope."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from surveys.models import Answer, Response, Service, User
from surveys.paper import PaperForm, store_paper_form
from tests.factories import make_service, make_site, make_user

PAGE = "/backoffice/questionnaires/saisie"


@pytest.fixture
def places(db):
    nanterre = make_site(db)
    antony = make_site(db, code="92-antony", name="Sous-préfecture d'Antony")
    services = {
        "nanterre": make_service(db, nanterre),
        "antony": make_service(db, antony),
    }
    make_user(db, "agent", "agent@example.org", scopes=[("92-nanterre", "accueil")])
    db.commit()
    return {name: service.id for name, service in services.items()}


def _count(db) -> int:
    value = db.scalar(select(func.count()).select_from(Response))
    db.rollback()
    return value


def _start_pile(client, service_id: int, filled_on: str = "2026-11-20"):
    return client.post(
        PAGE,
        data={
            "action": "pile",
            "service": str(service_id),
            "filled_on": filled_on,
            "language": "fr",
        },
    )


def test_a_form_is_stored_once_with_channel_paper_at_noon_of_its_date(client, auth, db, places):
    auth.login("agent@example.org")
    assert _start_pile(client, places["nanterre"]).status_code == 303
    page = client.get(PAGE)
    assert "Accueil général" in page.text and "saisis dans cette pile : 0" in page.text
    response_id = str(uuid.uuid4())
    form = {
        "action": "form",
        "response_id": response_id,
        "rating_overall": "4",
        "rating_courtesy": "",
        "comment": "Très bon accueil",
    }
    assert client.post(PAGE, data=form).status_code == 303
    assert "saisis dans cette pile : 1" in client.get(PAGE).text
    again = client.post(PAGE, data=form, follow_redirects=True)
    assert "déjà enregistré" in again.text
    assert "saisis dans cette pile : 1" in again.text
    stored = db.scalars(select(Response)).all()
    assert len(stored) == 1
    (response,) = stored
    assert (response.channel, response.comment) == ("paper", "Très bon accueil")
    at = response.submitted_at.replace(tzinfo=response.submitted_at.tzinfo or UTC)
    assert at == datetime(2026, 11, 20, 11, 0, tzinfo=UTC)  # noon in Paris
    assert [a.rating for a in response.answers] == [4]


def test_an_agent_cannot_type_forms_outside_their_scope(client, auth, db, places):
    auth.login("agent@example.org")
    refused = _start_pile(client, places["antony"])
    assert refused.status_code == 400
    assert "Sous-préfecture d'Antony" not in client.get(PAGE).text
    client.post(
        PAGE, data={"action": "form", "response_id": str(uuid.uuid4()), "rating_overall": "5"}
    )
    assert _count(db) == 0


def test_a_viewer_gets_no_paper_entry(client, auth, db, places):
    make_user(db, "viewer")
    db.commit()
    auth.login("viewer@example.org")
    assert client.get(PAGE).status_code == 403


def test_an_empty_form_or_a_date_after_today_is_refused(client, auth, db, places):
    auth.login("agent@example.org")
    future = _start_pile(client, places["nanterre"], filled_on="2999-01-01")
    assert future.status_code == 400 and "après aujourd" in future.text
    _start_pile(client, places["nanterre"])
    empty = client.post(PAGE, data={"action": "form", "response_id": str(uuid.uuid4())})
    assert empty.status_code == 400 and "rien à enregistrer" in empty.text
    assert _count(db) == 0


def test_store_paper_form_refuses_a_criterion_the_questionnaire_does_not_ask(db, places):
    from surveys import DomainError

    form = PaperForm(
        response_id=str(uuid.uuid4()),
        service_id=places["nanterre"],
        filled_on=date(2026, 11, 20),
        ratings={"effort": 3},
    )
    with pytest.raises(DomainError) as refused:
        store_paper_form(db, form, datetime(2026, 12, 1, tzinfo=UTC))
    assert refused.value.field == "rating_effort"
    service = db.get(Service, places["nanterre"])
    ok = PaperForm(str(uuid.uuid4()), service.id, date(2026, 11, 20), {"overall": 2})
    assert store_paper_form(db, ok, datetime(2026, 12, 1, tzinfo=UTC)) is True
    assert store_paper_form(db, ok, datetime(2026, 12, 1, tzinfo=UTC)) is False
    assert db.scalar(select(func.count()).select_from(Answer)) == 1


def test_an_english_speaking_agent_reads_the_refusal_of_a_form_in_english(client, auth, db, places):
    agent = db.scalar(select(User).where(User.email == "agent@example.org"))
    agent.language = "en"
    db.commit()
    auth.login("agent@example.org")
    _start_pile(client, places["nanterre"])
    empty = client.post(PAGE, data={"action": "form", "response_id": str(uuid.uuid4())})
    assert empty.status_code == 400
    assert "No rating and no comment: nothing to store." in empty.text
    long = {"action": "form", "response_id": str(uuid.uuid4()), "comment": "x" * 2001}
    assert (
        "The comment is too long (2,000 characters at most)." in client.post(PAGE, data=long).text
    )
    assert _count(db) == 0
