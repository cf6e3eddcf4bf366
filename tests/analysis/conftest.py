"""The browser fixtures, for the dashboard's browser test kept beside the other analysis tests."""

from tests.browser.conftest import (  # noqa: F401
    browser,
    context_factory,
    live_server,
    page,
    playwright_instance,
)
