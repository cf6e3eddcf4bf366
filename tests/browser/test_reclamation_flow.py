"""A réclamation's whole life in Chromium: left on an enrolled tablet, acknowledged by
email (read from a real local SMTP server), answered from the back office by an agent
of that service, counted in time in the indicators; and the usager forms on a phone,
in French and in Arabic, checked by axe-core."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from analysis.reclamations import reclamation_indicators
from kiosk.mail import deliver_queued
from surveys.calendar import local_today
from surveys.models import Reclamation
from tests.browser.conftest import TABLET, axe_violations, screenshot
from tests.factories import PASSWORD, make_service, make_site, make_user
from tests.reclamations.smtp import SmtpServer, body_of
from tests.survey.helpers import enrol_in_browser

PHONE_320 = {"width": 320, "height": 640}


def tap_choice(page, label: str) -> None:
    """Tap a radio or a box by its label, as a usager does: the design system draws the
    control on the label, over the native input."""
    box = page.get_by_label(label)
    page.locator(f"label[for={box.get_attribute('id')}]").click()
    assert box.is_checked(), label


@pytest.fixture
def smtp_server(app):
    server = SmtpServer().start()
    app.config["AVIS_SMTP_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def services(db):
    nanterre = make_site(db)
    antony = make_site(db, code="92-antony", name="Sous-préfecture d'Antony")
    services = {
        "accueil": make_service(db, nanterre),
        "etrangers": make_service(db, nanterre, code="etrangers", name="Bureau des étrangers"),
        "antony": make_service(db, antony),
    }
    db.commit()
    return services


@pytest.mark.app_config(AVIS_KIOSK_THANKS_SECONDS=1, AVIS_KIOSK_IDLE_SECONDS=60)
def test_reclamation_left_on_tablet_is_acknowledged_answered_and_counted_in_time(
    app, live_server, context_factory, db, services, smtp_server
):
    tablet_page = context_factory(TABLET).new_page()
    enrol_in_browser(tablet_page, live_server, db, service=services["accueil"])
    # The survey offers the form once the usager has tapped a first star.
    tablet_page.get_by_role("button", name="4 sur 5").click()
    tablet_page.get_by_role("button", name="Préciser mon avis").click()
    tablet_page.get_by_role("link", name="Laisser une suggestion ou une réclamation").first.click()
    tablet_page.wait_for_url(re.compile(r"/kiosk/reclamation"))

    tap_choice(tablet_page, "Une réclamation")
    tablet_page.get_by_label("Sujet").select_option("waiting_time")
    tablet_page.get_by_label("Votre message").fill("Mon titre de séjour attend depuis huit mois.")
    assert "caractères restants" in tablet_page.locator("#text-count").inner_text()
    assert tablet_page.locator("#contact").is_hidden()
    tap_choice(tablet_page, "Je souhaite une réponse")
    tablet_page.get_by_label("Votre adresse électronique").fill("usager@example.org")
    screenshot(tablet_page, "reclamation-tablet-form-fr")
    tablet_page.get_by_role("button", name="Envoyer mon message").click()

    reference = tablet_page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"92-\d{4}-\d{6}", reference)
    screenshot(tablet_page, "reclamation-tablet-confirmation-fr")
    # The tablet goes back to the survey by itself, and the form comes back empty.
    tablet_page.wait_for_url(re.compile(r"/kiosk/(\?.*)?$"), timeout=10_000)
    tablet_page.goto(live_server.url + "/kiosk/reclamation")
    assert tablet_page.get_by_label("Votre message").input_value() == ""

    with app.app_context():  # the `avis mail send` timer's run
        deliver_queued()
    [acknowledgement] = smtp_server.wait_for(1)
    assert acknowledgement["To"] == "usager@example.org"
    assert reference in acknowledgement["Subject"] and reference in body_of(acknowledgement)

    make_user(db, role="agent", email="agent@example.org", scopes=[("92-nanterre", "accueil")])
    db.commit()
    office = context_factory(TABLET).new_page()
    office.goto(live_server.url + "/auth/login")
    office.get_by_label("Adresse électronique").fill("agent@example.org")
    office.get_by_label("Mot de passe").fill(PASSWORD)
    office.get_by_role("button", name="Se connecter").click()
    office.goto(live_server.url + "/backoffice/reclamations")
    screenshot(office, "reclamation-backoffice-inbox")
    office.get_by_role("link", name=reference).click()
    office.get_by_label("Texte de la réponse").fill(
        "Votre dossier est complet ; décision sous 15 jours."
    )
    assert office.get_by_label("Canal de la réponse").input_value() == "courriel"
    screenshot(office, "reclamation-backoffice-detail")
    office.get_by_role("button", name="Enregistrer la réponse").click()
    assert "le courriel à l'usager part" in office.locator(".flashes").inner_text()
    assert axe_violations(office) == []

    office.goto(live_server.url + "/backoffice/reclamations/saisie")
    assert axe_violations(office) == []
    screenshot(office, "reclamation-backoffice-entry")

    with app.app_context():
        deliver_queued()
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    assert "décision sous 15 jours" in body_of(messages[1])

    db.expire_all()
    rec = db.scalar(select(Reclamation).where(Reclamation.reference == reference))
    assert (rec.status, rec.channel, rec.service.code) == ("answered", "kiosk", "accueil")
    today = local_today()
    rows = reclamation_indicators(db, date(today.year, 1, 1), today, ["92-nanterre"], today)
    db.rollback()
    assert rows[0]["answered_in_time"] == 1
    assert rows[0]["in_time_rate"] == 1.0


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_phone_form_at_320px_is_accessible_in_french_and_arabic(
    live_server, context_factory, db, services, lang
):
    page = context_factory(PHONE_320, locale="ar" if lang == "ar" else "fr-FR").new_page()
    page.goto(f"{live_server.url}/reclamation?lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways ({width}px)"
    assert axe_violations(page) == []
    screenshot(page, f"reclamation-phone-{lang}")

    # Send with contact details but no reply wanted: refused, errors linked to fields.
    page.locator("#text").fill("x")
    page.locator("label[for=reply_wanted]").click()
    assert page.locator("#reply_wanted").is_checked()
    page.locator("#contact_email").fill("a@example.org")
    page.locator("label[for=reply_wanted]").click()
    assert not page.locator("#reply_wanted").is_checked()
    assert page.locator("#contact_email").input_value() == ""  # unticking clears them
    page.locator("#text").fill("")
    page.locator("button.submit").click()
    assert page.locator("#error-summary").is_visible()
    described = page.locator("#text").get_attribute("aria-describedby")
    assert "text-error" in described
    assert axe_violations(page) == []
    screenshot(page, f"reclamation-phone-errors-{lang}")
    assert db.scalar(select(Reclamation)) is None


def test_indicators_and_privacy_pages_are_accessible(live_server, context_factory, db, services):
    from surveys.reclamations import NewReclamation, create_reclamation, record_reply

    today = local_today()
    for n, kind in enumerate(["reclamation", "suggestion", "remerciement"]):
        rec, _ = create_reclamation(
            db,
            NewReclamation(
                kind=kind,
                channel="courriel",
                category=["reception", "premises", "other"][n],
                site="92-nanterre",
                service="accueil",
                text="Texte",
                received_on=today,
                reply_wanted=True,
                contact_email="ada@example.org",
            ),
        )
        if n == 0:
            record_reply(db, rec, text="R", channel="courriel", answered_on=today, user_id=None)
    make_user(db, role="quality")
    db.commit()
    page = context_factory(TABLET).new_page()
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("Adresse électronique").fill("quality@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server.url + "/backoffice/indicateurs")
    assert "100,0\u00a0%" in page.locator("table.indicators").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "reclamation-backoffice-indicators")

    page.goto(live_server.url + "/backoffice/donnees-personnelles")
    page.get_by_label("Adresse électronique ou référence").fill("ada@example.org")
    page.get_by_role("button", name="Rechercher").click()
    assert "3 message(s)" in page.locator("h2").first.inner_text()
    assert "ada@example.org" not in page.url
    assert axe_violations(page) == []
    screenshot(page, "reclamation-backoffice-privacy")
    page.set_viewport_size({"width": 360, "height": 740})  # the list scrolls in its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.app_config(
    AVIS_KIOSK_IDLE_SECONDS=1, AVIS_KIOSK_RECLAMATION_IDLE_SECONDS=1, AVIS_KIOSK_WARNING_SECONDS=2
)
def test_tablet_reclamation_form_warns_before_it_clears_and_returns_in_french(
    live_server, context_factory, db, services
):
    page = context_factory(TABLET).new_page()
    enrol_in_browser(page, live_server, db, service=services["accueil"])
    page.goto(live_server.url + "/kiosk/reclamation?lang=en")
    page.locator("#text").fill("The wait was long")
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible")
    assert "2" in page.locator("#idle-countdown").inner_text()  # the time left, shown
    assert page.evaluate("document.activeElement.id") == "idle-continue"
    page.mouse.click(5, 5)  # a tap on the dimmed page: the usager is still there
    assert warning.is_hidden()
    assert page.locator("#text").input_value() == "The wait was long"
    warning.wait_for(state="visible")
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=6000)  # no language carried over
    assert page.locator("html").get_attribute("lang") == "fr"


def test_correcting_the_phone_form_is_never_limited_and_a_refused_post_keeps_the_text(
    app, live_server, context_factory, db, services
):
    page = context_factory(PHONE_320).new_page()
    page.goto(f"{live_server.url}/reclamation")
    page.get_by_label("Sujet").select_option("reception")
    page.locator("#site").select_option("92-nanterre/accueil")
    page.locator("#text").fill("Merci pour l'accueil.")
    page.locator("button.submit").click()
    page.locator("#reference").wait_for()
    page.go_back()  # the form again, empty (it was the browser's "resend?" error page)
    assert page.locator("#text").input_value() == ""
    page.goto(f"{live_server.url}/reclamation")
    page.locator("#text").fill("Le guichet ferme trop tôt.")
    for _ in range(11):  # eleven sends with a field missing: the usager corrects the form
        page.locator("button.submit").click()
        page.locator("#error-summary").wait_for()
    page.get_by_label("Sujet").select_option("reception")
    page.locator("#site").select_option("92-nanterre/accueil")
    page.locator("button.submit").click()
    assert re.fullmatch(r"92-\d{4}-\d{6}", page.locator("#reference").inner_text().strip())
    # Other phones behind the same address store eight more: the limit of the minute.
    others = app.test_client()
    for n in range(8):
        sent = others.post(
            "/reclamation",
            data={"kind": "suggestion", "category": "other", "place": "92-nanterre/accueil",
                  "text": f"Suggestion {n}"},
        )  # fmt: skip
        assert sent.status_code == 303
    page.goto(f"{live_server.url}/reclamation")
    page.get_by_label("Sujet").select_option("reception")
    page.locator("#site").select_option("92-nanterre/accueil")
    page.locator("#text").fill("Un second message, refusé pour l'instant.")
    page.locator("button.submit").click()
    page.locator("#error-summary").wait_for()
    assert "Patientez une minute" in page.locator("#error-summary").inner_text()
    assert page.locator("#text").input_value() == "Un second message, refusé pour l'instant."
    assert page.locator("#site").input_value() == "92-nanterre/accueil"
    assert len(db.scalars(select(Reclamation)).all()) == 10
