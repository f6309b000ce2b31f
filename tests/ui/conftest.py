"""Browser fixtures: Debian's Chromium driven by Playwright (never `playwright install`); skipped without them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, WAIT_MS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (no browser download needed)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; at the end, no request may have gone to a host other than this machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    hosts: set[str] = set()
    tab.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or urlsplit(request.url).scheme))
    yield tab
    context.close()
    outside = {h for h in hosts if h not in LOOPBACK and h not in ("data", "blob")}
    assert not outside, f"the page contacted other hosts: {sorted(outside)}"
