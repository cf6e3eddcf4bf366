"""Browser fixtures for the dashboard's browser test, kept beside the other analysis tests.

Playwright's sync API allows one running instance per process, so this one lives only as
long as the module that uses it (a session-wide one here would collide with the browser
tests' own)."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TABLET, LiveServer


@pytest.fixture(scope="module")
def dashboard_browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    app.config["AVIS_BASE_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def page(dashboard_browser):
    context = dashboard_browser.new_context(viewport=TABLET, locale="fr-FR")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
