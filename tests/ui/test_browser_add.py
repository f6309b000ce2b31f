"""Adding by address in the Documents tab of a real Chromium: report, address in the table, link in citations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.app import AppContext, build_context
from rag.config import AppConfig
from tests.support.browser import Served, ask
from tests.support.web_server import Route, Site, article_page, serve_site

FACT = "The Brenmoor cluster opened its shared hydrogen pipeline to eleven chemical plants in May 2025."


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as served:
        yield served


@pytest.fixture
def app(embedder: Any, tmp_path: Path) -> Iterator[Served]:
    (tmp_path / "corpus").mkdir()
    config = AppConfig(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", allow_private_urls=True)
    ctx: AppContext = build_context(config, embedder)
    served = Served(ctx)
    yield served
    served.close()


def test_add_by_address_then_cite_it_as_a_link(app: Served, site: Site, page: Any) -> None:
    site.routes["/news/brenmoor.html"] = Route(article_page("Brenmoor pipeline opens", [FACT]))
    url = site.base + "/news/brenmoor.html"
    page.goto(app.url)
    page.get_by_role("tab", name="Documents").click()
    page.fill("#cqa-urls textarea", f"{url}\n{site.base}/missing.html")
    page.click("#cqa-add-urls")
    page.locator("#cqa-report .cqa-count-added b").filter(has_text="1").wait_for()
    report = page.inner_text("#cqa-report")
    assert "not found: the server answered HTTP 404" in report
    assert f"added: {url}" in report
    page.wait_for_function(f"() => document.querySelector('#cqa-docs').innerText.includes({url!r})")

    page.get_by_role("tab", name="Ask").click()
    answer = ask(page, "How many chemical plants does the Brenmoor pipeline serve?")
    assert "eleven" in answer.inner_text()
    link = page.locator("#cqa-sources a.cqa-url").first
    assert link.get_attribute("href") == url
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
