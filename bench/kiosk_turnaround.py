"""The tablet's turnaround between two usagers, in headless Chromium: from one tap on the
welcome stars to the moment the next usager's tap is a response of its own (the stars wait
``AVIS_TABLET_MIN_INTERVAL_SECONDS``), and to the moment nothing of the usager is left on
screen (``AVIS_KIOSK_ONE_TAP_SECONDS``), with the default settings; and screenshots of the
three flows (one tap then walk away, one tap then say more, two usagers 2 s apart) in
French and Arabic.

    .venv/bin/python bench/kiosk_turnaround.py                  # 10 taps, shots in /tmp
    .venv/bin/python bench/kiosk_turnaround.py --taps 20 --shots /tmp/avis-kiosk-shots
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveys import migrate  # noqa: E402
from surveys.db import make_engine, make_sessionmaker  # noqa: E402
from surveys.tablets import register_tablet  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, TABLET, LiveServer  # noqa: E402
from tests.factories import make_service  # noqa: E402


def _poll(page, expression: str, timeout: float = 15.0) -> float:
    """Poll ``expression`` in the page every 10 ms; return when it held (monotonic s)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.01)
    return time.monotonic()


READY = "!document.querySelector('.star-button[aria-disabled]')"
CLEAR = "document.getElementById('say-more').hidden"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=10)
    parser.add_argument("--langs", default="fr,ar", help="screenshots in these languages")
    parser.add_argument("--shots", default=str(Path(tempfile.gettempdir()) / "avis-kiosk-shots"))
    args = parser.parse_args()
    shots = Path(args.shots)
    shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    from kiosk import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/avis.db"
        engine = make_engine(url)
        migrate.upgrade(engine)
        session = make_sessionmaker(engine)()
        service = make_service(session)
        _tablet, code = register_tablet(session, service, "Hall A")
        session.commit()
        app = create_app(
            {"AVIS_DATABASE_URL": url, "INSTANCE_PATH": f"{folder}/instance", "SECRET_KEY": "b"}
        )
        server = LiveServer(app).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_context(viewport=TABLET, locale="fr-FR").new_page()
            page.goto(f"{server.url}/kiosk/enrol/{code}")
            page.get_by_role("button", name="Enregistrer cette tablette").click()
            page.wait_for_url(f"{server.url}/kiosk/")
            stars = page.locator(".star-button")
            ready, clear = [], []
            for n in range(args.taps):
                start = time.monotonic()
                stars.nth(n % 5).click()
                ready.append(_poll(page, READY) - start)
                clear.append(_poll(page, CLEAR) - start)
            settings = app.config
            print(
                f"defaults: AVIS_TABLET_MIN_INTERVAL_SECONDS="
                f"{settings['AVIS_TABLET_MIN_INTERVAL_SECONDS']}, "
                f"AVIS_KIOSK_ONE_TAP_SECONDS={settings['AVIS_KIOSK_ONE_TAP_SECONDS']}"
            )
            for name, values in (("next tap counts", ready), ("screen clear", clear)):
                print(
                    f"{name}: median {statistics.median(values):.2f} s, "
                    f"max {max(values):.2f} s over {len(values)} taps"
                )
            for lang in args.langs.split(","):
                _screenshots(page, server.url, lang, shots)
            browser.close()
        server.stop()
        engine.dispose()
    print(f"screenshots in {shots}")


def _open(page, base: str, lang: str) -> None:
    page.goto(f"{base}/kiosk/?lang={lang}")
    page.locator("#screen-welcome").wait_for()


def _screenshots(page, base: str, lang: str, shots: Path) -> None:
    stars = page.locator(".star-button")
    # 1. One tap, then the usager walks away.
    _open(page, base, lang)
    stars.nth(3).click()
    page.screenshot(path=str(shots / f"{lang}-1-one-tap.png"))
    page.locator("#say-more").wait_for(state="hidden")
    page.wait_for_load_state()
    page.screenshot(path=str(shots / f"{lang}-1-after-walking-away.png"))
    # 2. One tap, then "say more".
    _open(page, base, lang)
    stars.nth(4).click()
    page.locator("#say-more").click()
    page.locator("#screen-details").wait_for()
    page.screenshot(path=str(shots / f"{lang}-2-say-more.png"))
    page.evaluate("document.getElementById('idle-warning').hidden = false")
    page.screenshot(path=str(shots / f"{lang}-2-idle-warning.png"))
    page.evaluate("document.getElementById('idle-warning').hidden = true")
    page.locator("#survey-form button[type=submit]").click()
    page.locator("#screen-thanks").wait_for()
    page.screenshot(path=str(shots / f"{lang}-2-thanks.png"))
    # 3. Two usagers 2 s apart.
    _open(page, base, lang)
    stars.nth(4).click()
    page.wait_for_timeout(2000)
    page.screenshot(path=str(shots / f"{lang}-3-second-usager-arrives.png"))
    stars.nth(1).click()
    page.screenshot(path=str(shots / f"{lang}-3-second-usager-tapped.png"))
    page.locator("#say-more").wait_for(state="hidden")
    # Portrait tablet.
    page.set_viewport_size({"width": 800, "height": 1280})
    _open(page, base, lang)
    page.screenshot(path=str(shots / f"{lang}-4-portrait-welcome.png"))
    stars.nth(4).click()
    page.screenshot(path=str(shots / f"{lang}-4-portrait-one-tap.png"))
    page.locator("#say-more").click()
    page.locator("#screen-details").wait_for()
    page.locator("label[for=r-courtesy-3]").click()
    page.screenshot(path=str(shots / f"{lang}-4-portrait-details.png"))
    page.evaluate("document.getElementById('idle-warning').hidden = false")
    page.locator("#idle-continue").click()
    page.set_viewport_size(TABLET)


if __name__ == "__main__":
    main()
