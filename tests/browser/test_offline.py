"""A tablet keeps collecting while offline: 20 answers, a reload, then exactly 20 stored."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import TABLET, screenshot
from tests.survey.helpers import enrol_in_browser, stored_responses, wait_for_responses


def answer_once(page, stars: int) -> None:
    page.locator(".star-button").nth(stars - 1).click()
    page.locator("#say-more").click()
    page.locator("#survey-form .step-finish").click()
    page.locator("#screen-thanks").wait_for(state="visible")
    page.locator("#restart").click()
    page.locator("#screen-welcome").wait_for(state="visible")


API = "**/api/v1/responses"


def go_offline(context) -> None:
    """Cut the tablet off. ``set_offline`` alone lets a request through now and then once a
    service worker controls the page (a known gap of the browser driver's offline emulation,
    seen once in a CI run): the answers' endpoint is also made unreachable, as a real outage
    would, so that what is tested is the tablet's queue and not the emulation."""
    context.set_offline(True)
    context.route(API, lambda route: route.abort("internetdisconnected"))


def go_online(context) -> None:
    context.unroute(API)
    context.set_offline(False)


def until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` in the page (wait_for_function would need 'unsafe-eval')."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


@pytest.mark.app_config(AVIS_TABLET_MIN_INTERVAL_SECONDS=0, AVIS_KIOSK_THANKS_SECONDS=30)
def test_offline_tablet_queues_answers_across_a_reload_and_sends_each_once(
    live_server, context_factory, db
):
    context = context_factory(TABLET)
    page = context.new_page()
    enrol_in_browser(page, live_server, db)
    until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")

    go_offline(context)
    for i in range(10):
        answer_once(page, 1 + i % 5)
    until(page, "document.querySelector('#queue').textContent.includes('10')")
    page.reload()  # served by the service worker from its cache
    page.locator("#screen-welcome").wait_for(state="visible")
    until(page, "document.querySelector('#queue').textContent.includes('10')")
    for i in range(10):
        answer_once(page, 1 + i % 5)
    until(page, "document.querySelector('#queue').textContent.includes('20')")
    screenshot(page, "kiosk-offline-queue-fr")
    assert stored_responses(db) == []

    go_online(context)
    stored = wait_for_responses(db, 20, timeout=30)
    assert len(stored) == 20
    assert len({r["response_id"] for r in stored}) == 20
    until(page, "document.querySelector('#queue').hidden", timeout=30)
    time.sleep(1)
    assert len(stored_responses(db)) == 20  # nothing sent twice
    assert sorted(r["ratings"][0] for r in stored) == sorted([1, 2, 3, 4, 5] * 4)


@pytest.mark.app_config(AVIS_KIOSK_IDLE_SECONDS=1)  # the pages are cached after the idle time
def test_offline_tablet_still_switches_language(live_server, context_factory, db):
    context = context_factory(TABLET)
    page = context.new_page()
    enrol_in_browser(page, live_server, db)
    until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    # Once online, the tablet keeps every language's page (it did only the French one).
    until(page, "caches.match('/kiosk/?lang=ar').then(function (hit) { return !!hit; })")
    go_offline(context)
    page.get_by_role("link", name="العربية").click()
    page.wait_for_url("**/kiosk/?lang=ar")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1#welcome-title").inner_text() == "شاركنا رأيك"
    go_online(context)
