"""The browser fixtures live in ``tests/browser_support.py`` (one Playwright for the whole
run); the helpers are re-exported here for the tests that import them from this folder,
beside the one fixture the phone tests share: the QR link of a second service."""

import pytest

from kiosk.public.tokens import survey_url
from tests.browser_support import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    SCREENSHOTS,
    TABLET,
    LiveServer,
    axe_violations,
    current_step,
    screenshot,
    step_to,
    tap_star,
)
from tests.factories import make_service


@pytest.fixture
def qr_link(app, live_server, db):
    """The link a poster's QR code carries, to the bureau du séjour des étrangers."""
    make_service(db, code="etrangers", name="Bureau du séjour des étrangers")
    db.commit()
    with app.app_context():
        return survey_url("92-nanterre", "etrangers")
