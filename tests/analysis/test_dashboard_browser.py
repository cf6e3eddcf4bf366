"""The dashboard in a real Chromium: charts load under the CSP, no accessibility violation."""

from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.response_writes import insert_responses
from tests.browser.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, make_service, make_site, make_user

from .helpers import new_response

pytestmark = pytest.mark.browser


@pytest.fixture
def filled(db):
    services = [
        make_service(db, make_site(db), "accueil"),
        make_service(db, make_site(db), "etrangers", "Étrangers"),
        make_service(db, make_site(db, "92-antony", "Sous-préfecture d'Antony"), "accueil"),
    ]
    first = date.today().replace(day=1) - timedelta(days=120)
    rows = []
    for index in range(400):
        service = services[index % 3]
        at = datetime.combine(first, datetime.min.time(), UTC) + timedelta(
            days=index % 118, hours=7 + index % 9
        )
        ratings = {
            "courtesy": 3 + index % 3,
            "overall": 2 + index % 4,
            "waiting_time": 1 + index % 5,
        }
        comment = "Attente trop longue au guichet" if index % 17 == 0 else None
        rows.append(
            new_response(
                db, service, at, ratings, comment=comment, language="fr" if index % 5 else "ar"
            )
        )
    insert_responses(db, rows)
    make_user(db, "quality", "quality@example.org")
    db.commit()


def test_dashboard_renders_its_charts_and_passes_axe(live_server, page, filled):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server.url}/auth/login")
    page.fill("input[name=email]", "quality@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/backoffice/dashboard")
    charts = page.locator("svg.svg-chart")
    assert charts.count() >= 3
    for index in range(charts.count()):
        assert charts.nth(index).evaluate("svg => svg.getBoundingClientRect().width > 200")
    screenshot(page, "dashboard-fr")
    assert not [m for m in messages if "Content Security Policy" in m]
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/backoffice/comments")
    screenshot(page, "dashboard-comments-fr")
    assert page.locator(".comment-card").count() >= 1
