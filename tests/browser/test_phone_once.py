"""The phone and web survey store one usager's answers once however they navigate (Back,
reload, a second tap on "Envoyer"), Enter on a star never sends the survey, and a refused
send puts the focus on the message that says why."""

from __future__ import annotations

import pytest

from kiosk.public.tokens import survey_url
from tests.browser.conftest import PHONE
from tests.factories import make_service
from tests.survey.helpers import stored_responses, wait_for_responses


@pytest.fixture
def qr_link(app, live_server, db):
    make_service(db, code="etrangers", name="Bureau du séjour des étrangers")
    db.commit()
    with app.app_context():
        return survey_url("92-nanterre", "etrangers")


def _answer_and_send(page) -> None:
    page.locator("label[for=r-overall-4]").click()
    page.locator("#comment").fill("Accueil rapide")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci**")


@pytest.mark.parametrize("path", ["qr", "web"])
def test_back_then_send_again_is_still_one_response(
    context_factory, live_server, qr_link, db, path
):
    page = context_factory(PHONE).new_page()
    url = qr_link if path == "qr" else live_server.url + "/avis/92-nanterre/etrangers"
    page.goto(url)
    _answer_and_send(page)
    [first] = wait_for_responses(db, 1)
    page.go_back()
    page.locator("label[for=r-overall-4]").wait_for()
    # The usager sends again what they see (the browser may or may not have restored it).
    page.locator("label[for=r-overall-4]").click()
    page.locator("#comment").fill("Accueil rapide")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci**")
    # A reload of the survey, then a third send with a change, is the same usager again.
    page.goto(url)
    page.locator("label[for=r-overall-2]").click()
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci**")
    rows = stored_responses(db)
    assert [r["response_id"] for r in rows] == [first["response_id"]]
    assert rows[0]["ratings"] == [4] and rows[0]["comment"] == "Accueil rapide"
    assert "déjà enregistré" in page.locator("main").inner_text()  # told nothing changed
