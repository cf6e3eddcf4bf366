"""One question a screen, on the tablet and on the phone (kiosk/static/js/steps.js).

A full response by taps alone, with nothing to scroll at either tablet orientation; skipping
questions and coming back; the phone's form whole without JavaScript. The usager who taps
once and walks away is tests/browser/test_kiosk_turnaround.py's; the phone with the keyboard
alone is tests/browser/test_phone.py's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, current_step, screenshot, step_to, tap_star
from tests.survey.helpers import enrol_in_browser, stored_responses, wait_for_responses

PORTRAIT = {"width": 800, "height": 1280}


def scrolls(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollHeight > window.innerHeight"
        " || document.documentElement.scrollWidth > window.innerWidth"
    )


@pytest.fixture
def kiosk(live_server, context_factory, db, request):
    page = context_factory(getattr(request, "param", TABLET)).new_page()
    enrol_in_browser(page, live_server, db)
    page.locator("#screen-welcome").wait_for()
    return page


@pytest.mark.app_config(AVIS_KIOSK_THANKS_SECONDS=30)
@pytest.mark.parametrize("kiosk", [TABLET, PORTRAIT], ids=["landscape", "portrait"], indirect=True)
def test_a_full_response_by_taps_alone_with_nothing_to_scroll(kiosk, db):
    page = kiosk
    assert not scrolls(page)  # the welcome
    page.get_by_role("button", name="4 sur 5").click()
    page.get_by_role("button", name="Préciser mon avis").click()
    questions = page.locator("#survey-form fieldset.rating").count()
    total = questions + 1  # and the comment
    for position in range(2, total):
        step = current_step(page)
        assert step.evaluate("s => s.tagName") == "FIELDSET"
        assert page.locator(".step-count").inner_text() == f"{position} / {total}"
        assert page.locator("#step-position").inner_text() == f"Question {position} sur {total}"
        assert page.get_by_role("button", name="Passer").is_visible()
        assert page.get_by_role("button", name="Terminer").is_visible()
        assert not scrolls(page), f"question {position} scrolls"
        if position == 3:
            screenshot(page, f"kiosk-question-{page.viewport_size['width']}")
        step.locator("label.star").nth(position % 5).click()  # a tap moves on by itself
        expect(page.locator(".step-count")).to_have_text(f"{position + 1} / {total}")
    assert current_step(page).get_attribute("class") == "step comment-step current"
    assert not scrolls(page)
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.locator("#screen-thanks").wait_for(state="visible")
    assert not scrolls(page)
    [response] = wait_for_responses(db, 1)
    expected = [4] + [position % 5 + 1 for position in range(2, total)]
    assert response["ratings"] == sorted(expected) and len(response["ratings"]) == questions


@pytest.mark.app_config(AVIS_KIOSK_THANKS_SECONDS=30)
def test_skipped_questions_are_not_answered_and_a_question_can_be_taken_back(kiosk, db):
    page = kiosk
    page.get_by_role("button", name="2 sur 5").click()
    page.get_by_role("button", name="Préciser mon avis").click()
    assert page.get_by_role("button", name="Précédent").is_visible()  # back to the first
    page.get_by_role("button", name="Passer").click()
    page.get_by_role("button", name="Passer").click()
    assert page.locator(".step-count").inner_text().startswith("4 / ")
    current_step(page).locator("label.star").nth(4).click()
    expect(page.locator(".step-count")).to_have_text(re.compile(r"^5 / "))
    page.get_by_role("button", name="Précédent").click()  # the usager changes their mind
    assert page.get_by_role("button", name="Suivant").is_visible()  # answered: "Suivant"
    current_step(page).locator("label.star").nth(2).click()
    expect(page.locator(".step-count")).to_have_text(re.compile(r"^5 / "))
    page.get_by_role("button", name="Terminer").click()  # what was given, at once
    page.locator("#screen-thanks").wait_for(state="visible")
    [response] = wait_for_responses(db, 1)
    assert response["ratings"] == [2, 3]  # the first and the fourth question; none skipped


@pytest.mark.app_config(AVIS_KIOSK_THANKS_SECONDS=1)
def test_arabic_steps_run_right_to_left(kiosk, db):
    page = kiosk
    page.get_by_role("link", name="العربية").click()
    page.wait_for_url("**/kiosk/?lang=ar")
    page.locator(".star-button").nth(4).click()
    page.locator("#say-more").click()
    back = page.locator(".step-back").bounding_box()
    finish = page.locator(".step-finish").bounding_box()
    assert back["x"] > finish["x"]  # "Précédent" at the start of the line: on the right
    assert page.locator(".step-next").inner_text() == "تخطي"
    assert not scrolls(page)
    screenshot(page, "kiosk-question-ar")
    tap_star(page, "courtesy", 3)
    page.locator(".step-finish").click()
    page.wait_for_url("**/kiosk/", timeout=6000)  # back to French for the next person
    assert wait_for_responses(db, 1)[0]["ratings"] == [3, 5]


def test_the_phone_asks_one_question_a_screen_then_sends_what_was_given(
    context_factory, qr_link, db
):
    page = context_factory(PHONE).new_page()
    page.goto(qr_link)
    assert page.locator(".step-count").inner_text().startswith("1 / ")
    assert page.locator("#survey-form, form.survey").locator("fieldset:visible").count() == 1
    assert page.get_by_role("button", name="Précédent").is_hidden()  # nothing before
    tap_star(page, "overall", 5)
    page.get_by_role("button", name="Passer").click()
    tap_star(page, "clarity", 2)
    step_to(page, ".comment-step")
    assert page.get_by_role("button", name="Terminer").is_hidden()  # "Envoyer" is there
    page.locator("#comment").fill("Très bien")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci**")
    [stored] = wait_for_responses(db, 1)
    assert stored["ratings"] == [2, 5] and stored["comment"] == "Très bien"


def test_without_javascript_the_phone_shows_the_whole_form(context_factory, qr_link, db):
    page = context_factory(PHONE, java_script_enabled=False).new_page()
    page.goto(qr_link)
    questions = page.locator("fieldset.rating")
    assert questions.count() > 2
    for index in range(questions.count()):
        assert questions.nth(index).is_visible()
    assert page.locator(".step-nav").is_hidden() and page.locator(".step-progress").is_hidden()
    page.locator("label[for=r-overall-4]").click()
    page.locator("label[for=r-clarity-3]").click()
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci**")
    [stored] = stored_responses(db)
    assert stored["ratings"] == [3, 4]
