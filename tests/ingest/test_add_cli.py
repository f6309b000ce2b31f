"""`clusterqa add` run for real: JSON report, exit codes, then `ask` cites the address. Nothing leaves the machine."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import clusterqa_env, run_cli
from tests.support.web_server import Route, article_page, serve_site

REPO = Path(__file__).resolve().parents[2]
QUESTION = "How many wind turbines power the Aldermoor cluster's electrolysers?"


def test_add_then_ask_cites_the_address(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    netlog = tmp_path / "net.log"
    env = clusterqa_env(corpus, tmp_path / "index", netlog=netlog, CLUSTERQA_ALLOW_PRIVATE_URLS="1")
    paragraphs = [
        "Forty-two wind turbines power the Aldermoor cluster's electrolysers.",
        "The electrolysers make hydrogen for two steel works on the estuary.",
    ]
    with serve_site() as site:
        site.routes["/article.html"] = Route(article_page("Aldermoor turns to wind", paragraphs))
        url = site.base + "/article.html"
        result = run_cli("add", url, site.base + "/nothing-here", "--json", env=env, cwd=REPO)
        assert result.returncode == 1, result.stderr
        report = json.loads(result.stdout)
        first = report["fetched"][0]
        assert first == {"url": url, "path": first["path"], "status": "added", "error": None}
        assert first["path"].startswith("web/127.0.0.1/article-") and first["path"].endswith(".md")
        assert report["fetched"][1]["error"] == "not found: the server answered HTTP 404"
        assert (report["added"], report["failed"], report["embedded"]) == (1, [], 1)

        again = run_cli("add", url, env=env, cwd=REPO)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"unchanged {url} -> web/127.0.0.1/article-")

    [row] = json.loads(run_cli("sources", "--json", env=env, cwd=REPO).stdout)
    assert row["url"] == url
    answer = json.loads(run_cli("ask", QUESTION, "--json", env=env, cwd=REPO).stdout)
    assert answer["citations"] and answer["citations"][0]["url"] == url
    assert "Forty-two" in answer["answer"]
    shown = run_cli("ask", QUESTION, env=env, cwd=REPO).stdout
    assert f"\n      {url}\n" in shown
    assert not netlog.exists(), netlog.read_text()
