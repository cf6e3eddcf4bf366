"""axe-core finds no WCAG 2.2 AA violation on any usager page, in French, English and Arabic,
on the tablet and phone viewports."""

from __future__ import annotations

import pytest

from kiosk.public.tokens import survey_url
from surveys.tablets import register_tablet
from tests.browser.conftest import PHONE, TABLET, axe_violations
from tests.factories import make_service
from tests.survey.helpers import enrol_in_browser


def summary(violations: list[dict]) -> list[tuple[str, list[str]]]:
    return [(v["id"], [n["target"][0] for n in v["nodes"]][:3]) for v in violations]


# The one-tap thanks stays up while axe reads it: on a loaded machine axe takes longer than
# the tablet's usual 4 s, and « Préciser mon avis » was gone before the next step.
@pytest.mark.app_config(AVIS_KIOSK_ONE_TAP_SECONDS=600)
@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_usager_pages_have_no_accessibility_violation(
    app, live_server, context_factory, db, lang, viewport
):
    service = make_service(db)
    db.commit()
    with app.app_context():
        link = survey_url("92-nanterre", "accueil")
    base = live_server.url
    page = context_factory(viewport).new_page()
    found = {}

    def check(name: str) -> None:
        found[name] = summary(axe_violations(page))

    # Usager pages away from the tablet.
    for name, path in [
        ("home", "/"),
        ("choose", "/avis"),
        ("survey", link.removeprefix(base)),
        ("invalid-link", "/q/tampered"),
        ("not-found", "/nowhere"),
    ]:
        page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
        check(name)
    page.goto(f"{link}?lang={lang}")
    page.locator(".language-menu summary").click()
    check("survey-language-menu-open")
    page.locator(".language-menu summary").click()
    page.locator("label[for=r-overall-4]").click()
    check("survey-second-question")
    page.locator(".step-finish").click()
    page.wait_for_url("**/merci**")
    check("thanks")

    # The kiosk: unregistered, enrolment, then its screens.
    page.goto(f"{base}/kiosk/?lang={lang}")
    check("kiosk-not-registered")
    _tablet, code = register_tablet(db, service, "Tablette a11y")
    db.commit()
    page.goto(f"{base}/kiosk/enrol/{code}")
    check("kiosk-enrol")
    enrol_in_browser(page, live_server, db, service)
    page.goto(f"{base}/kiosk/?lang={lang}")
    check("kiosk-welcome")
    page.locator(".star-button").nth(3).click()
    check("kiosk-one-tap-thanks")
    page.locator("#say-more").click()
    check("kiosk-details")
    page.evaluate("document.getElementById('idle-warning').hidden = false")
    check("kiosk-idle-warning")
    page.evaluate("document.getElementById('idle-warning').hidden = true")
    page.locator("#survey-form .step-finish").click()
    page.locator("#screen-thanks").wait_for(state="visible")
    check("kiosk-thanks")

    assert {name: v for name, v in found.items() if v} == {}
