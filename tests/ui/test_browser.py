"""The web UI in a real headless Chromium (Playwright) against the app served by the test on a free port."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.indexer import index_lock, run_ingest
from rag.app import AppContext, build_context
from rag.config import AppConfig
from tests.support.browser import Served, ask
from tests.support.cli import clusterqa_env
from tests.support.ports import free_port, wait_until_up

REPO = Path(__file__).resolve().parents[2]
# `UPDATE_SCREENSHOT=1 make test` refreshes the README's picture; otherwise the tree is left untouched.
SCREENSHOT = REPO / "docs" / "screenshot.png"
UNIQUE_FACT = "The Zorblax cluster in Quelmar appointed Mira Tandoh as its hydrogen coordinator in March 2025."
UNIQUE_QUESTION = "Who is the hydrogen coordinator of the Zorblax cluster?"
XSS_TITLE = 'Vexbridge <img src=x onerror="window.__xss=1"> note'
XSS_FILE = "vexbridge <img src=x onerror=window.__xss=1>.md"  # a name copied into the folder by hand
XSS_DOC = (
    f"# {XSS_TITLE}\n\n"
    "The Vexbridge cluster reported <script>window.__xss=1</script> a zinc recycling rate of 77 percent in 2025.\n\n"
    'An image follows: <img src=x onerror="window.__xss=1"> and nothing else.\n'
)


@pytest.fixture(scope="module")
def ctx(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    """A copy of the shipped corpus, indexed once for the module, settings untouched by the environment."""
    root = tmp_path_factory.mktemp("web")
    shutil.copytree(REPO / "corpus", root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("CLUSTERQA_")]:
            patch.delenv(key)
        patch.chdir(root)
        config = AppConfig(corpus_dir=root / "corpus", index_dir=root / "index")
    context = build_context(config, embedder)
    run_ingest(config, context.store, embedder)
    return context


@pytest.fixture(scope="module")
def app(ctx: AppContext) -> Iterator[Served]:
    served = Served(ctx)
    yield served
    served.close()


def open_tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def rows(page: Any) -> str:
    return str(page.inner_text("#cqa-docs"))


def test_answer_has_citation_chips_and_opens_the_highlighted_passage(app: Served, page: Any, tmp_path: Path) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Select example 1:").click()  # an example question
    answer = page.locator("#cqa-chat .cqa-answer:not(.cqa-pending)").first
    answer.wait_for()
    page.wait_for_function("() => document.querySelector('#cqa-chat .cqa-answer .cqa-chip')")
    assert "Glasgow" in answer.inner_text()
    chips = answer.locator(".cqa-chip")
    assert chips.count() >= 1 and chips.first.is_visible()
    cards = page.locator("#cqa-sources .cqa-source")
    assert cards.count() == chips.count()
    first = cards.first
    assert first.locator("mark").count() == 1
    assert "2024-01-15, page 1" in first.inner_text() and "2024-01-progress-report.pdf" in first.inner_text()
    quote = first.locator("mark").inner_text()

    chips.first.click()
    passage = page.locator("#cqa-document .cqa-passage mark")
    passage.wait_for()
    assert passage.inner_text().split() == quote.split()
    body = page.locator("#cqa-document .cqa-doc-body")
    in_view = "(b) => { const m = b.querySelector('mark').getBoundingClientRect(); const r = b.getBoundingClientRect();"
    assert body.evaluate(in_view + " return m.top >= r.top && m.bottom <= r.bottom; }")
    page.evaluate("window.scrollTo(0, 0)")
    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")

    # A later answer takes over the sources panel; clicking the earlier answer brings its sources back.
    ask(page, "What is the Tianjin TEDA cluster doing to cut its emissions?")
    assert "Tianjin TEDA" in page.inner_text("#cqa-sources .cqa-sources-head")
    page.locator("#cqa-chat .cqa-answer .cqa-text").first.click()
    page.get_by_text("Sources of the answer to “Where and when").wait_for()


def test_abstained_answer_is_marked_and_lists_nearest_sources(app: Served, page: Any) -> None:
    page.goto(app.url)
    answer = ask(page, "What is the recipe for a lemon meringue pie?")
    assert "cqa-abstained" in (answer.get_attribute("class") or "")
    assert "No answer found" in answer.inner_text()
    panel = page.locator("#cqa-sources .cqa-sources.cqa-abstained")
    assert "Nearest sources" in panel.inner_text()
    panel.locator(".cqa-source").first.click()
    page.locator("#cqa-document .cqa-passage").wait_for()


def test_date_filter_applies_to_the_next_question(app: Served, page: Any) -> None:
    page.goto(app.url)
    page.get_by_text("Filters (apply to the next questions)").click()
    page.get_by_label("From", exact=True).fill("2025")
    page.get_by_label("From", exact=True).press("Tab")
    page.get_by_text("Next questions search only dated 2025-01-01").wait_for()
    ask(page, "How many member clusters does the initiative have?")
    dates = page.locator("#cqa-sources .cqa-source-loc").all_inner_texts()
    assert dates and all(d[:4] >= "2025" for d in dates), dates


def test_upload_ask_then_delete_while_questions_keep_working(app: Served, page: Any, tmp_path: Path) -> None:
    corpus = app.ctx.config.corpus_dir
    upload = tmp_path / "zorblax-note.md"
    upload.write_text(f"# Zorblax hydrogen coordinator\n\n{UNIQUE_FACT} She leads the electrolyser programme.\n")
    page.goto(app.url)
    open_tab(page, "Documents")
    page.set_input_files("#cqa-upload input[type=file]", str(upload))
    page.locator('#cqa-upload td.filename[aria-label="zorblax-note.md"]').wait_for()  # uploaded
    with index_lock(app.ctx.config):  # another ingest holds the index: this one waits for it
        page.click("#cqa-upload-btn")
        page.wait_for_function("() => document.querySelector('#cqa-report .progress-text, #cqa-report .eta-bar')")
        open_tab(page, "Ask")
        answer = ask(page, "How many member clusters does the initiative have now?")
        assert answer.locator(".cqa-chip").count() >= 1  # answered while the upload waits to be indexed
        assert page.locator("#cqa-report .cqa-counts").count() == 0
    open_tab(page, "Documents")
    page.locator("#cqa-report .cqa-count-added b").filter(has_text="1").wait_for()
    assert (corpus / "zorblax-note.md").read_text() == upload.read_text()
    page.wait_for_function("() => document.querySelector('#cqa-docs').innerText.includes('zorblax-note.md')")

    open_tab(page, "Ask")
    answer = ask(page, UNIQUE_QUESTION)
    assert "Mira Tandoh" in answer.inner_text()
    assert "zorblax-note.md" in page.inner_text("#cqa-sources")

    open_tab(page, "Documents")
    page.get_by_role("combobox", name="Delete a document").click()
    page.get_by_role("option", name="zorblax-note.md").click()
    page.click("#cqa-delete")
    page.get_by_text("The file is removed from the corpus folder").wait_for()
    page.click("#cqa-confirm-delete")
    page.locator("#cqa-report .cqa-count-removed b").filter(has_text="1").wait_for()
    assert not (corpus / "zorblax-note.md").exists()
    page.wait_for_function("() => !document.querySelector('#cqa-docs').innerText.includes('zorblax-note.md')")

    open_tab(page, "Ask")
    answer = ask(page, UNIQUE_QUESTION)
    assert "Mira Tandoh" not in answer.inner_text()
    assert "zorblax-note.md" not in page.inner_text("#cqa-sources")


def test_document_with_script_shows_as_text_and_runs_nothing(app: Served, page: Any) -> None:
    (app.ctx.config.corpus_dir / XSS_FILE).write_text(XSS_DOC, encoding="utf-8")
    page.goto(app.url)
    open_tab(page, "Documents")
    page.click("#cqa-rescan")  # a file copied in by hand, indexed by the re-scan button
    page.locator("#cqa-report .cqa-count-added b").filter(has_text="1").wait_for()
    page.wait_for_function("() => document.querySelector('#cqa-docs').innerText.includes('vexbridge <img')")
    assert XSS_TITLE in rows(page) and XSS_FILE in rows(page)

    open_tab(page, "Ask")
    answer = ask(page, "What zinc recycling rate did the Vexbridge cluster report?")
    assert "<script>window.__xss=1</script>" in answer.inner_text()
    assert XSS_TITLE in page.inner_text("#cqa-sources") and XSS_FILE in page.inner_text("#cqa-sources")
    answer.locator(".cqa-chip").first.click()
    page.locator("#cqa-document .cqa-passage").wait_for()
    assert "onerror=" in page.inner_text("#cqa-document")
    ask(page, '<img src=x onerror="window.__xss=1"> what about <script>window.__xss=1</script>?')
    assert '<img src=x onerror="window.__xss=1">' in page.inner_text("#cqa-chat")
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#cqa-chat img[src=x], #cqa-sources img, #cqa-document img, #cqa-docs img").count() == 0


def test_evaluation_tab_runs_an_uploaded_test_set(app: Served, page: Any, tmp_path: Path) -> None:
    shipped = (REPO / "tests" / "data" / "testset.jsonl").read_text(encoding="utf-8").splitlines()
    chosen = [line for line in shipped if '"id": "fact-launch-event"' in line or '"id": "unans-budget"' in line]
    testset = tmp_path / "small.jsonl"
    testset.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text(chosen[0] + "\n{not json\n", encoding="utf-8")
    page.goto(app.url)
    open_tab(page, "Evaluation")
    assert page.get_by_label("The configured test set").is_checked()
    page.set_input_files("#cqa-eval-upload input[type=file]", str(broken))
    page.locator('#cqa-eval-upload td.filename[aria-label="broken.jsonl"]').wait_for()
    page.wait_for_function("() => document.querySelector('#cqa-eval-source input[value=upload]').checked")
    page.click("#cqa-eval-run")
    page.locator("#cqa-eval-summary .cqa-report-error").filter(has_text="line 2").wait_for()

    page.locator("#cqa-eval-upload button[aria-label='Clear']").click()
    page.set_input_files("#cqa-eval-upload input[type=file]", str(testset))
    page.locator('#cqa-eval-upload td.filename[aria-label="small.jsonl"]').wait_for()
    page.click("#cqa-eval-run")
    page.locator("#cqa-eval-summary .cqa-eval-headline").wait_for()
    summary = page.inner_text("#cqa-eval-summary")
    assert "2 questions" in summary and "By question type" in summary and "abstention_recall" in summary
    images = page.locator("#cqa-eval-summary img[src^='data:image/png;base64,']")
    assert images.count() == 2  # metrics per type and latency, inline: nothing is fetched
    table = page.inner_text("#cqa-eval-questions")
    assert "fact-launch-event" in table and "unans-budget" in table
    assert page.locator('#cqa-eval-files td.filename[aria-label="report.html"]').count() == 1
    reports = list((app.ctx.config.index_dir / "evaluations").glob("*/results.json"))
    assert len(reports) == 1 and '"unans-budget"' in reports[0].read_text(encoding="utf-8")


def test_login_is_required_when_auth_is_set(ctx: AppContext, page: Any) -> None:
    served = Served(ctx, auth=[("ann", "s3cret")])
    try:
        page.goto(served.url)
        password = page.locator("input[type=password]")
        password.wait_for()
        assert page.locator("#cqa-input").count() == 0
        page.locator("input[type=text]").first.fill("ann")
        password.fill("wrong")
        page.keyboard.press("Enter")
        page.get_by_text("Incorrect Credentials").wait_for()
        page.locator("input[type=text]").first.fill("ann")
        password.fill("s3cret")
        page.keyboard.press("Enter")
        page.locator("#cqa-input textarea").wait_for()
    finally:
        served.close()


SERVE = (
    "from rag.app import build_context; from rag.config import AppConfig; from ui.web import serve; import sys; "
    "serve(build_context(AppConfig()), port=int(sys.argv[1]))"
)


def test_served_process_connects_nowhere_but_loopback(page: Any, make_context: Any, tmp_path: Path) -> None:
    """`serve` in its own process, every outbound connection refused and logged: none may be attempted."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nThe Saraburi cluster joined in October 2024.\n", encoding="utf-8")
    ctx = make_context(corpus, tmp_path / "index")
    run_ingest(ctx.config, ctx.store, ctx.embedder)
    netlog = tmp_path / "net.log"
    port = free_port()
    env = clusterqa_env(corpus, tmp_path / "index", netlog=netlog, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(REPO)])
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, process)
        page.goto(url)
        answer = ask(page, "When did the Saraburi cluster join?")
        assert "October 2024" in answer.inner_text()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    attempts = netlog.read_text() if netlog.exists() else ""
    assert attempts == "", f"outbound connections were attempted: {attempts}\n{output}"


def test_search_switch_lists_ranked_passages_instead_of_an_answer(app: Served, page: Any) -> None:
    page.goto(app.url)
    page.get_by_label("Search: list the best-matching passages instead of answering").check()
    result = ask(page, "Saraburi cement cluster")
    assert "cqa-search" in (result.get_attribute("class") or "")
    items = result.locator(".cqa-result")
    assert items.count() >= 3
    assert items.first.inner_text().startswith("1. ") and "Saraburi" in items.first.inner_text()
    assert "no answer" in result.inner_text() and result.locator(".cqa-chip").count() == 0
    page.get_by_label("Search: list the best-matching passages instead of answering").uncheck()
    answer = ask(page, "Which cluster became the 21st member?")
    assert "cqa-search" not in (answer.get_attribute("class") or "") and "Saraburi" in answer.inner_text()
