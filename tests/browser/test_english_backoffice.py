"""An English-speaking user's back office, in a real browser: an account without a choice
follows the browser's English, the pages they use keep no French message, and the header
switches to French and back."""

from __future__ import annotations

from datetime import date

from surveys.reclamations import NewReclamation, create_reclamation
from tests.backoffice.test_own_language import _french_messages
from tests.browser.conftest import TABLET, axe_violations
from tests.factories import PASSWORD, make_service, make_site, make_user

PAGES = [
    "/backoffice/",
    "/backoffice/reclamations",
    "/backoffice/reclamations/saisie",
    "/backoffice/indicateurs?from=2026-01-01&to=2026-12-31",
    "/backoffice/questionnaires/saisie",
    "/backoffice/admin/questionnaires",
    "/backoffice/admin/campaigns",
    "/backoffice/admin/reponses-types",
]


def test_an_english_users_back_office_has_no_french_left(live_server, context_factory, db):
    make_service(db, make_site(db))
    create_reclamation(
        db,
        NewReclamation(
            kind="suggestion",
            channel="urne",
            category="premises",
            site="92-nanterre",
            service="accueil",
            text="Plus de chaises.",
            received_on=date(2026, 3, 22),
        ),
        today=date(2026, 3, 22),
    )
    make_user(db, "quality")
    db.commit()
    page = context_factory(TABLET, locale="en-GB").new_page()
    page.goto(live_server.url + "/backoffice/reclamations")
    assert "Log in to open this page." in page.inner_text("body")
    page.get_by_label("Email address").fill("quality@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/backoffice/**")
    french = _french_messages()
    left = {}
    for path in PAGES:
        page.goto(live_server.url + path)
        text = page.inner_text("main") + page.inner_text("header")
        found = [piece for piece in french if piece in text]
        if found:
            left[path] = found
    assert left == {}
    page.goto(live_server.url + "/backoffice/reclamations")
    assert "22 Mar 2026" in page.inner_text("main")
    assert axe_violations(page) == []
    # The header switches this user, and only this user, to French.
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url("**/backoffice/reclamations")
    assert "Se déconnecter" in page.inner_text("header")
    assert "22/03/2026" in page.inner_text("main")
