#!/usr/bin/env python3
"""Take the README's screenshots again, in ``docs/screenshots/``, from the demo.

    .venv/bin/python scripts/screenshots.py            # every screen, fr, ar and zh
    .venv/bin/python scripts/screenshots.py --only tablet

It builds the demo in a temporary instance folder (``avis demo --no-serve``), registers a
tablet (``avis tablets add``), serves the app on a free local port with short kiosk
timers (so that the idle warning shows within seconds), and drives Debian's Chromium
through Playwright, as the browser tests do (``AVIS_CHROMIUM`` to use another). Nothing
of the demo stays behind.

The Chinese screens need a CJK font on the machine that takes them (Debian:
``apt-get install fonts-wqy-microhei``); without one the script says so and leaves them
out rather than save pages of empty boxes. A phone or tablet reading the pages has its
own CJK font: the pages ship none, to stay within their weight budgets.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
AVIS = str(Path(sys.executable).with_name("avis"))
CHROMIUM = os.environ.get("AVIS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TABLET = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("fr", "ar", "zh")
ADMIN = ("admin.demo@example.org", "demo-admin-2022")  # the demo's, printed by `avis demo`


def has_cjk_font() -> bool:
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(instance: Path) -> tuple[subprocess.Popen, str, str]:
    """Build the demo, register a tablet, serve; return (server, base URL, enrolment URL)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        AVIS_INSTANCE_PATH=str(instance),
        AVIS_BASE_URL=base,
        AVIS_KIOSK_IDLE_SECONDS="3",
        AVIS_KIOSK_WARNING_SECONDS="30",
    )
    subprocess.run([AVIS, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    added = subprocess.run(
        [AVIS, "tablets", "add", "--site", "92-nanterre", "--service", "accueil", "--name", "Hall"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    enrol = re.search(r"https?://\S+/kiosk/enrol/\S+", added.stdout).group(0)
    server = subprocess.Popen(
        [AVIS, "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 (our own http URL)
            break
        except OSError:
            time.sleep(0.2)
    return server, base, enrol


def shoot(page, name: str) -> None:
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"docs/screenshots/{name}.png")


def tablet_screens(browser, base: str, enrol: str, languages) -> None:
    context = browser.new_context(viewport=TABLET, locale="fr-FR")
    page = context.new_page()
    page.goto(enrol)
    page.locator("form button[type=submit]").click()  # the enrolment's confirmation
    page.wait_for_url(f"{base}/kiosk/")
    for lang in languages:
        page.goto(f"{base}/kiosk/?lang={lang}")
        page.locator("#screen-welcome").wait_for()
        shoot(page, f"tablet-welcome-{lang}")
        page.locator(".star-button[data-rating='4']").click()
        page.locator("#say-more").click()
        page.locator("#screen-details").wait_for(state="visible")
        shoot(page, f"tablet-question-{lang}")
        page.locator("#idle-warning").wait_for(state="visible", timeout=10_000)
        shoot(page, f"tablet-idle-warning-{lang}")
        page.locator("#idle-continue").click()
        page.locator(".stepping .step-finish:visible").click()
        page.locator("#screen-thanks").wait_for(state="visible")
        shoot(page, f"tablet-thanks-{lang}")
    page.set_viewport_size(PORTRAIT)
    page.goto(f"{base}/kiosk/?lang=ar")
    page.locator(".star-button[data-rating='4']").click()
    page.locator("#say-more").click()
    page.locator("#screen-details").wait_for(state="visible")
    shoot(page, "tablet-question-ar-portrait")
    context.close()


def phone_screens(browser, base: str, languages) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    for lang in languages:
        page.goto(f"{base}/avis/92-nanterre/accueil?lang={lang}")
        shoot(page, f"usager-phone-survey-{lang}")
        page.locator(".reclamation-link a").click()
        page.locator("form").first.wait_for()
        shoot(page, f"usager-phone-reclamation-{lang}")
    page.goto(f"{base}/avis/92-nanterre/accueil?lang=fr")
    page.locator(".language-menu summary").click()
    shoot(page, "usager-phone-language-menu-fr")
    context.close()


def backoffice_screens(browser, base: str) -> None:
    context = browser.new_context(viewport=TABLET, locale="fr-FR")
    page = context.new_page()
    page.goto(base + "/auth/login")
    page.locator("input[name=email]").fill(ADMIN[0])
    page.locator("input[name=password]").fill(ADMIN[1])
    page.locator("form.form [type=submit]").click()
    page.wait_for_url("**/backoffice/**")
    page.goto(base + "/backoffice/dashboard")
    shoot(page, "backoffice-dashboard")
    page.goto(base + "/backoffice/reclamations")
    shoot(page, "backoffice-inbox")
    page.set_viewport_size(PHONE)
    shoot(page, "backoffice-inbox-phone")
    context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("tablet", "phone", "backoffice"), action="append")
    args = parser.parse_args(argv)
    only = set(args.only or ("tablet", "phone", "backoffice"))
    languages = LANGUAGES
    if not has_cjk_font():
        print("no CJK font on this machine: the Chinese screens are left out", file=sys.stderr)
        languages = tuple(lang for lang in LANGUAGES if lang != "zh")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    instance = Path(tempfile.mkdtemp(prefix="avis-screenshots-"))
    server, base, enrol = serve(instance)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            if "tablet" in only:
                tablet_screens(browser, base, enrol, languages)
            if "phone" in only:
                phone_screens(browser, base, languages)
            if "backoffice" in only:
                backoffice_screens(browser, base)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(instance, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
