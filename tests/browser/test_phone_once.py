"""The phone and web survey store one usager's answers once however they navigate (Back,
reload, a second tap on "Envoyer"), Enter on a star never sends the survey, and a refused
send puts the focus on the message that says why."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, step_to, tap_star
from tests.factories import make_service
from tests.survey.helpers import stored_responses, wait_for_responses


def _answer_and_send(page) -> None:
    tap_star(page, "overall", 4)
    step_to(page, ".comment-step")
    page.locator("#comment").fill("Accueil rapide")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci**")


def _back_to_the_first_question(page) -> None:
    """After Back the browser shows the survey as it left it (at its last step) or anew."""
    page.locator(".stepping .step.current").wait_for()
    while not page.locator("#rating-overall.current").count():
        page.get_by_role("button", name="Précédent").click()


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
    _back_to_the_first_question(page)
    # The usager sends again what they see (the browser may or may not have restored it).
    _answer_and_send(page)
    # A reload of the survey, then a third send with a change, is the same usager again.
    page.goto(url)
    page.locator("label[for=r-overall-2]").click()
    page.get_by_role("button", name="Terminer").click()
    page.wait_for_url("**/merci**")
    rows = stored_responses(db)
    assert [r["response_id"] for r in rows] == [first["response_id"]]
    assert rows[0]["ratings"] == [4] and rows[0]["comment"] == "Accueil rapide"
    assert "déjà enregistré" in page.locator("main").inner_text()  # told nothing changed


def test_enter_on_a_star_chooses_it_and_never_sends_the_survey(context_factory, qr_link, db):
    page = context_factory(PHONE).new_page()
    page.goto(qr_link)
    page.locator("#r-overall-1").focus()
    page.keyboard.press("ArrowRight")  # the keyboard user moves to the second star...
    page.keyboard.press("Enter")  # ...and "confirms" it
    page.get_by_role("button", name="Suivant").click()
    page.locator("#r-courtesy-1").focus()
    page.keyboard.press("Enter")  # Enter on a star not yet chosen chooses it
    page.wait_for_timeout(600)  # longer than a tap's move on: Enter does not move on
    assert "/merci" not in page.url
    assert page.locator("#rating-courtesy.current").count() == 1
    assert page.locator("#r-overall-2").is_checked() and page.locator("#r-courtesy-1").is_checked()
    assert stored_responses(db) == []
    page.get_by_role("button", name="Terminer").click()  # only a button sends
    page.wait_for_url("**/merci**")
    assert wait_for_responses(db, 1)[0]["ratings"] == [1, 2]


def focused_on_summary(page) -> None:
    """The page's script moves the focus once it runs: wait for it (2 s at most)."""
    expect(page.locator("#error-summary")).to_be_focused(timeout=2000)


def test_a_refused_send_puts_the_focus_on_the_message_saying_why(context_factory, qr_link, db):
    page = context_factory(PHONE).new_page()
    page.goto(qr_link)
    page.get_by_role("button", name="Terminer").click()  # no star chosen
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "au moins une note" in summary.inner_text()
    focused_on_summary(page)


def test_choosing_no_place_is_told_in_the_page_language(context_factory, live_server, db):
    make_service(db, code="etrangers", name="Bureau du séjour des étrangers")
    db.commit()
    page = context_factory(PHONE, locale="fr-FR").new_page()
    page.goto(live_server.url + "/avis?lang=en")
    page.locator("form.choose button").click()  # nothing chosen: no browser bubble
    page.locator("#error-summary").wait_for()
    focused_on_summary(page)
    assert page.locator("#service").get_attribute("aria-invalid") == "true"
