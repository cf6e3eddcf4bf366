"""Browser fixtures, loaded once for the whole suite from the root conftest: Playwright's
sync API allows one instance per process, so no folder may define its own. The app is
served on a free local port and driven by Debian's Chromium (never a downloaded browser);
screenshots go to ``test-artifacts/screenshots``."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("AVIS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


BROWSER_FIXTURES = {"browser", "page", "context_factory", "playwright_instance"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        in_folder = "tests/browser/" in str(item.fspath).replace(os.sep, "/")
        if in_folder or BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    app.config["AVIS_BASE_URL"] = "http://127.0.0.1"  # fixed below once the port is known
    server = LiveServer(app).start()
    app.config["AVIS_BASE_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


class RequestLog:
    """The requests a test's pages made that have not finished, kept so that a test that
    times out says what the page was still waiting for (a load event that never fires is
    otherwise a bare timeout)."""

    def __init__(self) -> None:
        self.pending: dict[int, str] = {}
        self.failed: list[str] = []

    def watch(self, context) -> None:
        context.on("request", lambda r: self.pending.__setitem__(id(r), f"{r.method} {r.url}"))
        context.on("requestfinished", lambda r: self.pending.pop(id(r), None))
        context.on("requestfailed", self._failed)

    def _failed(self, request) -> None:
        self.pending.pop(id(request), None)
        self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def summary(self) -> str:
        lines = [f"pending: {url}" for url in self.pending.values()]
        return "\n".join(lines + [f"failed: {line}" for line in self.failed]) or "none"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    log = getattr(item, "_request_log", None)
    if log is not None and report.failed:
        report.sections.append(("browser requests", log.summary()))
    return report


@pytest.fixture
def context_factory(browser, request):
    """Make browser contexts (one per simulated device); all are closed after the test."""
    contexts = []
    log = request.node._request_log = RequestLog()

    def make(viewport: dict | None = None, locale: str = "fr-FR", **kwargs):
        context = browser.new_context(
            viewport=viewport or TABLET, locale=locale, service_workers="allow", **kwargs
        )
        context.set_default_timeout(10_000)
        # A page's load, not its speed, is what these tests judge (speed lives in bench/):
        # on a loaded two-core machine the dashboard once took more than 10 s to load.
        context.set_default_navigation_timeout(30_000)
        log.watch(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_factory):
    return context_factory().new_page()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/screenshots and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, tags=("wcag2a", "wcag2aa", "wcag21aa", "wcag22aa")) -> list[dict]:
    """Run axe-core (shipped inside the PyPI package, no CDN) and return the violations."""
    from axe_playwright_python.sync_playwright import Axe

    # Sizes are read once the stylesheets and fonts are in: on a loaded machine a page's
    # text is there before them, and an unstyled page's links are smaller than its targets.
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": list(tags)}})
    # Short enough for a failing assertion to show which element breaks which rule.
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "html": n["html"][:160], "why": n["failureSummary"][:240]}
                for n in v["nodes"][:5]
            ],
        }
        for v in results.response["violations"]
    ]


# One question a screen (kiosk/static/js/steps.js): the tests move along the steps as a
# usager does, with "Passer" / "Suivant", never by showing hidden questions.
def current_step(page):
    return page.locator(".stepping .step.current")


def step_to(page, selector: str, *, limit: int = 20) -> None:
    """Press the way on ("Passer" / "Suivant") until the step matching ``selector`` shows."""
    for _ in range(limit):
        if page.locator(f".stepping .step.current{selector}").count():
            return
        page.locator(".step-nav .step-next:visible").click()
    raise AssertionError(f"no step {selector} within {limit} presses")


def tap_star(page, criterion: str, n: int) -> None:
    """Go to ``criterion``'s question, tap its ``n``-th star, and wait until it moves on."""
    step_to(page, f"#rating-{criterion}")
    page.locator(f"label[for=r-{criterion}-{n}]").click()
    page.locator(f"#rating-{criterion}.current").wait_for(state="detached")
