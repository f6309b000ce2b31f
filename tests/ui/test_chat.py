"""The chat function called directly, as the page calls it, over a small real index (no server)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.indexer import run_ingest
from tests.support.fake_llm import FakeLLM, Reply
from ui.web.chat import QUEUED, ChatService, ChatSession

FACT = "The Zorblax cluster in Quelmar appointed Mira Tandoh as its hydrogen coordinator in March 2025."


@pytest.fixture
def chat(make_context, tmp_path: Path) -> ChatService:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "zorblax.md").write_text(f"# Zorblax news\n\n{FACT} She leads the electrolyser programme.\n")
    (corpus / "other.md").write_text("# Other\n\nThe Vexbridge cluster recycles zinc. It was founded in 2019.\n")
    ctx = make_context(corpus)
    run_ingest(ctx.config, ctx.store, ctx.embedder)
    return ChatService(ctx)


def test_respond_streams_a_cited_answer_and_opens_its_source(chat: ChatService) -> None:
    steps = list(chat.respond("Who is the hydrogen coordinator of the Zorblax cluster?", [], {}))
    first_history, first_answer = steps[0]
    assert first_answer is None and "cqa-pending" in first_history[-1]["content"]
    history, answer = steps[-1]
    assert answer is not None and not answer.abstained and answer.citations
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "cqa-chip cqa-a-1 cqa-n-1" in history[-1]["content"]
    assert answer.citations[0].passage.doc_id == "zorblax.md"
    view = chat.open_source(answer, 1, "cite", 1)
    assert "<mark>" in view and "cqa-passage" in view and "electrolyser programme" in view

    follow = list(chat.respond("And when was she appointed?", history, {}))[-1][0]
    assert len(follow) == 4 and "cqa-a-3" in follow[-1]["content"]


def test_respond_applies_filters_and_reports_bad_ones(chat: ChatService) -> None:
    history, answer = list(chat.respond("Who is the hydrogen coordinator?", [], {"doc_ids": ["other.md"]}))[-1]
    assert answer is not None
    assert all(p.doc_id == "other.md" for p in [*answer.retrieved, *answer.nearest])
    history, answer = list(chat.respond("Who?", [], {"since": "not a date"}))[-1]
    assert answer is None and "cqa-error" in history[-1]["content"] and "not a date" in history[-1]["content"]
    assert list(chat.respond("   ", [], {})) == [([], None)]


def test_an_unexpected_failure_is_shown_not_left_pending(chat: ChatService, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> Iterator[object]:
        raise RuntimeError("collection vanished")

    monkeypatch.setattr(chat.assistant, "stream", broken)
    history, answer = list(chat.respond("Who is the hydrogen coordinator?", [], {}))[-1]
    assert answer is None and "cqa-error" in history[-1]["content"]
    assert "RuntimeError: collection vanished" in history[-1]["content"]


@pytest.fixture
def llm_chat(make_context, tmp_path: Path) -> Iterator[tuple[ChatService, FakeLLM]]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "zorblax.md").write_text(f"# Zorblax news\n\n{FACT} She leads the electrolyser programme.\n")
    with FakeLLM() as fake:
        ctx = make_context(corpus, llm_base_url=fake.base_url, llm_model="fake-model", llm_timeout=10)
        run_ingest(ctx.config, ctx.store, ctx.embedder)
        yield ChatService(ctx), fake


def test_llm_answers_stream_and_show_their_mode(llm_chat: tuple[ChatService, FakeLLM]) -> None:
    chat, fake = llm_chat
    fake.script(Reply(text=f"{FACT} [1]", chunk_size=12))
    steps = list(chat.respond("Who is the hydrogen coordinator of the Zorblax cluster?", [], {}))
    streamed = [history[-1]["content"] for history, answer in steps if answer is not None]
    assert len(streamed) > 3 and all("cqa-streaming" in s for s in streamed[:-1])
    assert "cqa-streaming" not in streamed[-1]
    final = steps[-1][1]
    assert final is not None and final.mode == "llm" and final.citations
    assert "LLM answer" in streamed[-1] and "cqa-chip cqa-a-1 cqa-n-1" in streamed[-1]


def test_llm_failure_shows_the_fallback_notice(llm_chat: tuple[ChatService, FakeLLM]) -> None:
    chat, fake = llm_chat
    fake.script(Reply(status=500))
    history, answer = list(chat.respond("Who is the hydrogen coordinator of the Zorblax cluster?", [], {}))[-1]
    assert answer is not None and answer.mode == "extractive" and answer.notice
    assert "cqa-notice" in history[-1]["content"] and "The LLM did not answer" in history[-1]["content"]


def test_a_question_sent_while_another_is_answered_waits_and_is_answered_next(chat: ChatService) -> None:
    session = ChatSession()
    first = chat.ask(session, "Who is the hydrogen coordinator of the Zorblax cluster?", {})
    shown, answer, _ = next(first)  # the first question is being answered
    assert answer is None and len(shown) == 2 and "cqa-pending" in shown[-1]["content"]
    queued = list(chat.ask(session, "What does the Vexbridge cluster recycle?", {}))
    assert len(queued) == 1  # shown at once as waiting; the call answering the first one takes it next
    shown = queued[0][0]
    assert len(shown) == 4 and QUEUED in shown[-1]["content"] and "Vexbridge" in shown[-2]["content"]
    *_, (shown, answer, index) = first
    assert answer is not None and index == 3 and "zinc" in answer.text
    assert [m["role"] for m in shown] == ["user", "assistant"] * 2 and QUEUED not in str(shown)
    assert "Mira Tandoh" in session.answers[1].text and session.answers[3] is answer
    assert session.answering is None and not session.waiting and session.messages == shown

    session.clear()
    assert session.shown() == [] and session.answers == {}
    shown, answer, index = list(chat.ask(session, "Who is the hydrogen coordinator of the Zorblax cluster?", {}))[-1]
    assert len(shown) == 2 and index == 1 and answer is not None and "Mira Tandoh" in answer.text


def test_a_chat_cleared_while_answering_does_not_get_the_old_answer_back(chat: ChatService) -> None:
    session = ChatSession()
    answering = chat.ask(session, "Who is the hydrogen coordinator of the Zorblax cluster?", {})
    next(answering)
    session.clear()
    list(answering)
    assert session.shown() == [] and session.answers == {} and session.answering is None


def test_each_copy_of_a_session_is_a_separate_chat(chat: ChatService) -> None:
    session = ChatSession()
    list(chat.ask(session, "Who is the hydrogen coordinator of the Zorblax cluster?", {}))
    copied = copy.deepcopy(session)
    assert copied.shown() == session.shown() and copied.answers.keys() == session.answers.keys()
    assert copied.lock is not session.lock and copied.answering is None
    copied.clear()
    assert len(session.shown()) == 2
