"""Fixtures of the réclamation tests: a local SMTP server, sites, an enrolled tablet."""

from __future__ import annotations

import pytest

from surveys.tablets import enrol_tablet, register_tablet
from tests.factories import make_service, make_site

from .smtp import SmtpServer


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def places(db):
    """Nanterre (accueil, étrangers) and Antony (accueil), committed."""
    nanterre = make_site(db)
    antony = make_site(db, code="92-antony", name="Sous-préfecture d'Antony")
    services = {
        "nanterre": make_service(db, nanterre),
        "etrangers": make_service(db, nanterre, code="etrangers", name="Bureau des étrangers"),
        "antony": make_service(db, antony),
    }
    db.commit()
    return services


@pytest.fixture
def tablet_token(db, places) -> str:
    """The device token of a tablet enrolled at Nanterre's accueil général."""
    _tablet, code = register_tablet(db, places["nanterre"], name="Hall")
    db.commit()
    _tablet, token = enrol_tablet(db, code)
    db.commit()
    return token
