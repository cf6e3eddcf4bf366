"""The administration pages in a real browser: reachable with the keyboard, no axe-core
violation, and a screenshot of each for a human look."""

from __future__ import annotations

import pytest

from surveys.tablets import register_tablet
from tests.browser_support import PHONE, TABLET, axe_violations, screenshot
from tests.factories import PASSWORD, make_response, make_service, make_site, make_user

pytestmark = pytest.mark.browser


PAGES = {
    "sites": "/backoffice/admin/sites",
    "site": "/backoffice/admin/sites/{site_id}",
    "questionnaires": "/backoffice/admin/questionnaires",
    "questionnaire": "/backoffice/admin/questionnaires/1",
    "campaigns": "/backoffice/admin/campaigns",
    "tablets": "/backoffice/admin/tablets",
    "users": "/backoffice/admin/users",
    "audit": "/backoffice/audit",
}


@pytest.fixture
def admin_page(db, live_server, context_factory):
    service = make_service(db)
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    make_service(db, antony, "titres", "Titres de séjour")
    tablet, _code = register_tablet(db, service, "Hall A — borne 1")
    make_response(db, service)
    make_user(db, "admin")
    make_user(db, "agent", scopes=[("92-antony", None)])
    site_id = service.site_id
    db.commit()
    db.close()
    page = context_factory(viewport=TABLET).new_page()
    page.goto(live_server.url + "/auth/login")
    # Keyboard only: tab into the fields, type, submit with Enter.
    page.get_by_label("Adresse électronique").focus()
    page.keyboard.type("admin@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/backoffice/")
    return page, live_server.url, site_id


def test_admin_pages_have_no_accessibility_violation(admin_page):
    page, base, site_id = admin_page
    problems = {}
    for name, path in PAGES.items():
        page.goto(base + path.format(site_id=site_id))
        screenshot(page, f"backoffice-admin-{name}")
        found = [f"{v['id']}: {v['help']}" for v in axe_violations(page)]
        if found:
            problems[name] = found
    assert not problems, problems


def test_admin_pages_do_not_scroll_sideways_on_a_phone(admin_page):
    """A wide table scrolls in its own box; the page itself stays the phone's width (a table
    in a flex column, or a cell's screen-reader text, once widened the whole page)."""
    page, base, site_id = admin_page
    page.set_viewport_size(PHONE)
    wide = {}
    paths = {
        **PAGES,
        "home": "/backoffice/",
        "dashboard": "/backoffice/dashboard",
        "inbox": "/backoffice/reclamations",
        "reclamation-entry": "/backoffice/reclamations/saisie",
        "paper-entry": "/backoffice/questionnaires/saisie",
        "indicators-entry": "/backoffice/indicateurs/saisie",
        "actions": "/backoffice/actions",
        "privacy": "/backoffice/donnees-personnelles",
    }
    for name, path in paths.items():
        assert page.goto(base + path.format(site_id=site_id)).ok, name
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[name] = width
    assert wide == {}


def test_enrolling_a_tablet_from_the_browser_shows_its_qr_code(admin_page):
    page, base, _site_id = admin_page
    page.goto(base + "/backoffice/admin/tablets")
    page.get_by_label("Nom de la tablette").fill("Hall B")
    page.get_by_role("button", name="Enregistrer la tablette").click()
    qr = page.get_by_role("img", name="QR code d'enrôlement de la tablette")
    assert qr.is_visible()
    assert "/kiosk/enrol/" in page.locator(".enrol-url").inner_text()
    screenshot(page, "backoffice-admin-tablet-enrolled")


def test_an_error_is_announced_next_to_its_field(admin_page):
    page, base, _site_id = admin_page
    page.goto(base + "/backoffice/admin/sites")
    page.get_by_label("Code").fill("Pas un code !")
    page.get_by_label("Nom", exact=True).fill("Essai")
    page.get_by_label("Département").fill("92")
    page.get_by_role("button", name="Enregistrer").click()
    field = page.get_by_label("Code")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    assert "Code invalide" in page.locator(f"#{described.split()[-1]}").inner_text()
    screenshot(page, "backoffice-admin-site-error")
