"""A pile of 20 paper questionnaires typed from the keyboard alone, each stored once."""

from __future__ import annotations

from sqlalchemy import select

from surveys.models import Criterion, Response
from tests.browser.conftest import TABLET, axe_violations, screenshot
from tests.factories import PASSWORD, make_service, make_site, make_user


def test_twenty_paper_forms_typed_from_the_keyboard_alone_are_stored_once_each(
    live_server, context_factory, db
):
    make_service(db, make_site(db))
    make_user(db, "agent", "agent@example.org", scopes=[("92-nanterre", "accueil")])
    db.commit()
    page = context_factory(TABLET).new_page()
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("Adresse électronique").fill("agent@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/backoffice/**")
    page.goto(live_server.url + "/backoffice/questionnaires/saisie")
    # The pile, chosen once: the service (the only one) and the date of the forms.
    page.get_by_label("Date des questionnaires").fill("2026-11-20")
    page.keyboard.press("Enter")
    page.wait_for_selector(".paper-form")
    assert "20 novembre 2026" in page.locator(".paper-pile").inner_text()
    assert axe_violations(page) == []

    questions = page.locator(".paper-question").count()
    typed = []
    for number in range(20):
        overall, courtesy = number % 5 + 1, (number + 2) % 5 + 1
        # overall, courtesy, then 0 skips accessibility; the rest stays unanswered.
        page.keyboard.type(f"{overall}{courtesy}0")
        comment = f"Formulaire {number + 1}" if number % 3 == 0 else None
        if comment:
            page.keyboard.type("0" * (questions - 3))  # skip the others: the comment
            page.keyboard.type(comment)
        # Form 5 gets a double Enter, as an impatient hand would: stored once all the same.
        page.keyboard.press("Enter")
        if number == 4:
            page.keyboard.press("Enter")
        page.wait_for_selector(f"text=Questionnaire n° {number + 1} enregistré")
        typed.append((overall, courtesy, comment))
        if number == 0:
            screenshot(page, "paper-entry-after-first")
    assert "saisis dans cette pile : 20" in page.locator("#paper-count").inner_text()

    db.expire_all()
    responses = db.scalars(select(Response).order_by(Response.id)).all()
    assert len(responses) == 20
    assert {r.channel for r in responses} == {"paper"}
    codes = dict(db.execute(select(Criterion.id, Criterion.code)).all())
    got = []
    for response in responses:
        ratings = {codes[a.criterion_id]: a.rating for a in response.answers}
        assert set(ratings) == {"overall", "courtesy"}
        got.append((ratings["overall"], ratings["courtesy"], response.comment))
    assert got == typed
