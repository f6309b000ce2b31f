"""No lost questions: two questions sent back to back in the browser are both answered, in order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.indexer import run_ingest
from rag.types import Answer
from tests.support.browser import FINAL_ANSWER, Served

FIRST = "Who is the hydrogen coordinator of the Zorblax cluster?"
SECOND = "What does the Vexbridge cluster recycle?"
SLOW_SECONDS = 2.0


@pytest.fixture
def app(make_context: Any, tmp_path: Path) -> Iterator[Served]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "zorblax.md").write_text(
        "# Zorblax news\n\nThe Zorblax cluster in Quelmar appointed Mira Tandoh as its hydrogen coordinator.\n"
    )
    (corpus / "vexbridge.md").write_text("# Vexbridge\n\nThe Vexbridge cluster recycles zinc from galvanising.\n")
    ctx = make_context(corpus)
    run_ingest(ctx.config, ctx.store, ctx.embedder)
    served = Served(ctx)
    yield served
    served.close()


def test_a_question_sent_while_another_is_answered_is_answered_next(
    app: Served, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = app.ctx.assistant.stream

    def slow_first(question: str, *args: Any, **kwargs: Any) -> Iterator[Answer]:
        if question == FIRST:  # still being answered when the second question is sent
            time.sleep(SLOW_SECONDS)
        yield from stream(question, *args, **kwargs)

    monkeypatch.setattr(app.ctx.assistant, "stream", slow_first)
    page.goto(app.url)
    box = page.locator("#cqa-input textarea")
    box.fill(FIRST)
    box.press("Enter")
    page.locator("#cqa-chat .cqa-pending").first.wait_for()
    box.fill(SECOND)
    box.press("Enter")
    page.get_by_text("Waiting for the answer above").wait_for()  # shown at once, before the first is answered
    assert page.locator("#cqa-chat .cqa-answer:not(.cqa-pending)").count() == 0
    page.wait_for_function(FINAL_ANSWER, arg=1)
    questions = page.locator("#cqa-chat .cqa-question").all_inner_texts()
    answers = page.locator("#cqa-chat .cqa-answer").all_inner_texts()
    assert questions == [FIRST, SECOND]
    assert len(answers) == 2 and "Mira Tandoh" in answers[0] and "zinc" in answers[1]
    assert box.input_value() == ""
