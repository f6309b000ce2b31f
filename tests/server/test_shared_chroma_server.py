"""Two `clusterqa serve` processes share one `chroma run` server and nothing else.

Documents are indexed through the web UI of the first process (the "Re-scan corpus folder" button) and
questions are asked in the web UI of the second, in a headless Chromium: the second process must answer
from what the first one indexed, and after a document changes and the first re-indexes it, the second
(long-running, with its own local BM25 cache) must answer with the new content, also after a rebuild
made elsewhere has replaced both collections.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from ingest.indexer import run_ingest
from tests.support.chroma_server import chroma_server
from tests.support.cli import clusterqa_env
from tests.support.ports import free_port, stop, wait_until_up

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CLUSTERQA_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WAIT_MS = 60_000
QUESTION = "Who is the hydrogen coordinator of the Zorblax cluster?"
BEFORE = "The Zorblax cluster in Quelmar appointed Mira Tandoh as its hydrogen coordinator in March 2025."
AFTER = "The Zorblax cluster in Quelmar appointed Idris Okafor as its hydrogen coordinator in June 2025."


class ServeProcess:
    """`clusterqa serve` in its own process, with its own local index folder."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--port", str(self.port)],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        try:
            wait_until_up(self.url, self.process, 180)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {Path(self.log.name).read_text()}") from None

    def stop(self) -> None:
        stop(self.process)
        self.log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (or set CLUSTERQA_TEST_CHROMIUM)"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    return page


def rescan(page: Any, count: str, value: int) -> None:
    """Press "Re-scan corpus folder" and wait for the report to show `value` under `count`."""
    page.get_by_role("tab", name="Documents").click()
    page.click("#cqa-rescan")
    page.locator(f"#cqa-report .cqa-count-{count} b").filter(has_text=str(value)).wait_for()


def ask(page: Any, question: str) -> str:
    """Ask in the chat; wait for the final answer and return its text."""
    before = page.locator("#cqa-chat .cqa-answer").count()
    page.fill("#cqa-input textarea", question)
    page.keyboard.press("Enter")
    page.locator("#cqa-chat .cqa-answer").nth(before).wait_for()
    page.wait_for_function(
        "n => { const a = document.querySelectorAll('#cqa-chat .cqa-answer')[n];"
        " return a && !a.matches('.cqa-pending, .cqa-streaming'); }",
        arg=before,
    )
    return str(page.locator("#cqa-chat .cqa-answer").nth(before).inner_text())


def test_two_serve_processes_share_one_chroma_server(browser: Any, make_context: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "zorblax.md"
    doc.write_text(f"# Zorblax hydrogen\n\n{BEFORE}\n", "utf-8")
    (corpus / "other.md").write_text("# Other\n\nThe Saraburi cluster in Thailand joined in October 2024.\n", "utf-8")
    with chroma_server(tmp_path / "server-data") as chroma_port:
        servers = []
        try:
            for name in ("first", "second"):
                env = clusterqa_env(
                    corpus,
                    tmp_path / f"index-{name}",
                    CLUSTERQA_CHROMA_HOST="127.0.0.1",
                    CLUSTERQA_CHROMA_PORT=str(chroma_port),
                    HF_HUB_OFFLINE="1",
                    TRANSFORMERS_OFFLINE="1",
                    ANONYMIZED_TELEMETRY="False",
                    GRADIO_ANALYTICS_ENABLED="False",
                    PYTHONPATH=str(REPO),
                )
                servers.append(ServeProcess(env, tmp_path, tmp_path / f"serve-{name}.log"))
            for server in servers:
                server.wait_ready()
            first, second = (open_page(browser, s.url) for s in servers)

            rescan(first, "added", 2)  # indexed by the first process
            answer = ask(second, QUESTION)  # answered by the second
            assert "Mira Tandoh" in answer, answer

            doc.write_text(f"# Zorblax hydrogen\n\n{AFTER}\n", "utf-8")
            rescan(first, "updated", 1)
            answer = ask(second, QUESTION)  # same page, same long-running process
            assert "Idris Okafor" in answer and "Mira Tandoh" not in answer, answer

            # A third machine rebuilds: both collections are dropped and re-created under new ids.
            third = make_context(corpus, tmp_path / "index-third", chroma_host="127.0.0.1", chroma_port=chroma_port)
            assert run_ingest(third.config, third.store, third.embedder, rebuild=True).added == 2
            answer = ask(second, QUESTION)
            assert "Idris Okafor" in answer, answer
        finally:
            for server in servers:
                server.stop()
    # They shared nothing but the server: each kept its own local BM25 cache, neither an embedded store.
    for name in ("first", "second"):
        assert (tmp_path / f"index-{name}" / "bm25").is_dir()
        assert not (tmp_path / f"index-{name}" / "chroma").exists()
