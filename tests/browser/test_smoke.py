from tests.browser.conftest import axe_violations, screenshot


def test_home_page_renders_in_chromium_without_accessibility_violations(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Donnez votre avis"
    assert page.locator("html").get_attribute("lang") == "fr"
    screenshot(page, "home-fr")
    assert axe_violations(page) == []
