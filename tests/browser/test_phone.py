"""The survey opened from a QR code on a phone: Arabic, 360 px, a tampered link."""

from __future__ import annotations

from tests.browser.conftest import PHONE, axe_violations, screenshot, step_to, tap_star
from tests.survey.helpers import stored_responses, wait_for_responses


def test_qr_survey_on_a_phone_in_arabic(context_factory, qr_link, db):
    page = context_factory(PHONE, locale="ar").new_page()
    page.goto(qr_link)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1").inner_text() == "شاركنا رأيك"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing overflows the phone's width
    first = page.locator("label[for=r-overall-1]").bounding_box()
    fifth = page.locator("label[for=r-overall-5]").bounding_box()
    assert first["x"] > fifth["x"] and first["width"] >= 44 and first["height"] >= 44
    screenshot(page, "phone-survey-ar")
    tap_star(page, "overall", 5)
    tap_star(page, "clarity", 4)
    step_to(page, ".comment-step")
    page.locator("#comment").fill("شكرًا جزيلًا")
    screenshot(page, "phone-survey-ar-filled")
    page.locator("button.submit").click()
    page.wait_for_url("**/merci**")
    assert page.locator("h1").inner_text() == "شكرًا على رأيك"
    screenshot(page, "phone-thanks-ar")
    [stored] = wait_for_responses(db, 1)
    assert (stored["channel"], stored["language"], stored["ratings"]) == ("qr", "ar", [4, 5])
    assert stored["comment"] == "شكرًا جزيلًا"


def test_qr_survey_on_a_phone_in_french_with_language_switch(context_factory, qr_link, db):
    page = context_factory(PHONE, locale="fr-FR").new_page()
    page.goto(qr_link)
    screenshot(page, "phone-survey-fr")
    page.locator(".language-menu summary").click()
    page.keyboard.press("Escape")  # closes the menu, the focus back on it
    assert page.locator(".language-menu").get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.locator(".language-menu summary").click()
    screenshot(page, "phone-language-menu-fr")
    assert axe_violations(page) == []
    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Tell us what you think"
    page.locator(".language-menu summary").click()
    page.get_by_role("link", name="Français").click()
    assert page.locator("h1").inner_text() == "Donnez votre avis"
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phones in use
    # Measured once the page's stylesheets and fonts are in: on a loaded machine the h1 is
    # there before them, and an unstyled page is wider.
    page.wait_for_load_state("load")
    assert (
        page.evaluate("document.fonts.ready.then(() => document.documentElement.scrollWidth)")
        <= 320
    )
    assert page.locator("label[for=r-overall-5]").bounding_box()["width"] >= 44
    assert stored_responses(db) == []  # opening and switching language stores nothing


def test_keyboard_alone_answers_the_phone_survey(context_factory, qr_link, db):
    """One question a screen with the keyboard: the arrows choose without moving on, Tab
    reaches "Suivant", and the focus comes to each new question."""
    page = context_factory(PHONE).new_page()
    page.goto(qr_link)
    focused = "document.activeElement.id || document.activeElement.className"
    page.locator("#r-overall-1").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#r-overall-2").is_checked()
    assert page.locator("#rating-overall.current").count() == 1  # still the first question
    page.keyboard.press("Tab")
    assert "step-next" in page.evaluate(focused)
    assert page.locator(".step-next").inner_text() == "Suivant"  # once answered
    page.keyboard.press("Enter")
    assert page.evaluate(focused) == "rating-courtesy"  # the new question has the focus
    assert page.locator(".step-progress .step-count").inner_text() == "2 / 10"
    page.keyboard.press("Tab")  # into the stars, none chosen yet
    page.keyboard.press("Space")
    assert page.locator("#r-courtesy-1").is_checked()
    for _ in range(3):  # Précédent, Suivant, then Terminer
        page.keyboard.press("Tab")
    assert "step-finish" in page.evaluate(focused)
    page.keyboard.press("Enter")
    page.wait_for_url("**/merci**")
    assert wait_for_responses(db, 1)[0]["ratings"] == [1, 2]


def test_tampered_qr_link_shows_a_friendly_page(context_factory, qr_link, db):
    page = context_factory(PHONE, locale="fr-FR").new_page()
    answer = page.goto(qr_link[:-4] + "AAAA")
    assert answer.status == 404
    assert page.locator("h1").inner_text() == "Ce lien n'est pas valable"
    screenshot(page, "phone-invalid-link-fr")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Choisir le lieu de ma visite").click()
    page.locator("#service").select_option("92-nanterre/etrangers")
    page.get_by_role("button", name="Continuer").click()
    assert page.locator(".where").inner_text().endswith("Bureau du séjour des étrangers")
    assert stored_responses(db) == []
