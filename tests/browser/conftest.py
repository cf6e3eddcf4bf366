"""The browser fixtures live in ``tests/browser_support.py`` (one Playwright for the whole
run); the helpers are re-exported here for the tests that import them from this folder."""

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
