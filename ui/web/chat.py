"""The chat's behaviour, callable without a server: answer a message, pick an answer, open a source."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rag.answering.retrieve import make_filters
from rag.app import AppContext
from rag.errors import ClusterQAError
from rag.types import Answer, Filters
from ui.web import format as fmt

Message = dict[str, Any]
Shown = tuple[list[Message], Answer | None, int]  # the chat as shown, the answer being made, its message index
log = logging.getLogger(__name__)
QUEUED = "Waiting for the answer above…"


class ChatSession:
    """One browser tab's chat: messages, answers by message index, and the questions waiting their turn.

    The page keeps one per tab in a gr.State: gradio gives each tab a deep copy of an empty one.
    """

    def __init__(self) -> None:
        self.messages: list[Message] = []  # answered questions and their final answers
        self.current: list[Message] = []  # the question being answered and its answer so far
        self.waiting: list[tuple[str, Mapping[str, Any] | None]] = []  # questions sent meanwhile, with their filters
        self.answers: dict[int, Answer] = {}
        self.answering: object | None = None  # the token of the call answering this session's questions
        self.epoch = 0  # a cleared chat starts a new epoch; answers begun before it are not kept
        self.lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatSession:
        """A copy with its own lock, answering nothing yet."""
        copied = ChatSession()
        with self.lock:
            copied.messages, copied.current, copied.waiting, copied.answers = copy.deepcopy(
                (self.messages, self.current, self.waiting, self.answers), memo
            )
            copied.epoch = self.epoch
        return copied

    def shown(self) -> list[Message]:
        queued = [
            message
            for question, _ in self.waiting
            for message in (
                {"role": "user", "content": fmt.question_html(question)},
                {"role": "assistant", "content": fmt.pending_html(QUEUED)},
            )
        ]
        return [*self.messages, *self.current, *queued]

    def clear(self) -> None:
        with self.lock:
            self.messages, self.current, self.waiting, self.answers = [], [], [], {}
            self.epoch += 1


def filters_from(state: Mapping[str, Any] | None) -> Filters | None:
    """The filters of the UI state ({since, until, doc_ids, search}); QueryError when a date is not a date."""
    if not state:
        return None
    filters = make_filters(state.get("since") or None, state.get("until") or None, (), state.get("doc_ids") or ())
    return filters if filters != Filters() else None


class ChatService:
    """One per process: holds the assistant; every method is a plain function of the UI's values."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.assistant = ctx.assistant

    def respond(
        self, message: str, history: Sequence[Message] | None, filters_state: Mapping[str, Any] | None
    ) -> Iterator[tuple[list[Message], Answer | None]]:
        """Yield (chat history, answer so far); the answer's message is the last of the history."""
        history = list(history or [])
        question = (message or "").strip()
        if not question:
            yield history, None
            return
        asked = [*history, {"role": "user", "content": fmt.question_html(question)}]
        index = len(asked)
        yield [*asked, {"role": "assistant", "content": fmt.pending_html()}], None
        turns = [{"role": str(m.get("role")), "content": fmt.plain_text(m.get("content"))} for m in history]
        answer: Answer | None = None
        try:
            filters = filters_from(filters_state)
            if filters_state and filters_state.get("search"):
                found = self.assistant.search(question, None, filters)
                yield [*asked, {"role": "assistant", "content": fmt.search_html(question, found)}], None
                return
            for answer in self.assistant.stream(question, turns, filters):
                yield [*asked, {"role": "assistant", "content": fmt.answer_html(answer, index, final=False)}], answer
        except ClusterQAError as exc:
            yield [*asked, {"role": "assistant", "content": fmt.error_html(str(exc))}], None
            return
        except Exception as exc:  # a bug or a dependency failing: say so instead of pending forever
            log.exception("answering failed")
            failed = f"Answering failed ({type(exc).__name__}: {exc}); the server log has the details."
            yield [*asked, {"role": "assistant", "content": fmt.error_html(failed)}], None
            return
        if answer is not None:
            yield [*asked, {"role": "assistant", "content": fmt.answer_html(answer, index)}], answer

    def ask(self, session: ChatSession, message: str, filters_state: Mapping[str, Any] | None) -> Iterator[Shown]:
        """Queue the question; unless another call is answering this session, answer every queued one in order.

        A question sent while another is answered is shown as waiting at once and never lost: the call that
        is answering takes it next. Yields what the chat shows after each step.
        """
        question = (message or "").strip()
        token = object()
        with session.lock:
            if question:
                session.waiting.append((question, filters_state))
            if session.answering is None and session.waiting:
                session.answering = token
        if session.answering is not token:
            yield session.shown(), None, -1
            return
        try:
            while True:
                with session.lock:
                    if not session.waiting:
                        session.answering = None
                        return
                    question, filters_state = session.waiting.pop(0)
                    history, epoch = list(session.messages), session.epoch
                yield from self._answer_turn(session, question, history, filters_state, epoch)
        finally:  # closed early (the tab went away): the next question answers what is left
            with session.lock:
                if session.answering is token:
                    session.answering = None

    def _answer_turn(
        self,
        session: ChatSession,
        question: str,
        history: list[Message],
        filters_state: Mapping[str, Any] | None,
        epoch: int,
    ) -> Iterator[Shown]:
        index, answer = len(history) + 1, None
        for shown, answer in self.respond(question, history, filters_state):
            if session.epoch != epoch:  # the chat was cleared meanwhile
                return
            session.current = shown[len(history) :]
            yield session.shown(), answer, index
        with session.lock:
            if session.epoch == epoch:
                session.messages, session.current = [*history, *session.current], []
                if answer is not None:
                    session.answers[index] = answer

    def open_source(self, answer: Answer | None, index: int, kind: str, n: int) -> str:
        """The document view for citation n of an answer (kind "cite") or its nearest passage n."""
        if answer is None:
            return fmt.empty_document_html()
        if kind == "nearest":
            if not 0 <= n < len(answer.nearest):
                return fmt.empty_document_html()
            passage, quote = answer.nearest[n], None
        else:
            cited = [c for c in answer.citations if c.n == n]
            if not cited:
                return fmt.empty_document_html()
            passage, quote = cited[0].passage, cited[0].quote
        return fmt.document_html(passage, self.ctx.assistant.excerpt(passage), quote)
