"""The chat's behaviour, callable without a server: answer a message, pick an answer, open a source."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rag.answering.retrieve import make_filters
from rag.app import AppContext
from rag.errors import ClusterQAError
from rag.types import Answer, Filters
from ui.web import format as fmt

Message = dict[str, Any]
log = logging.getLogger(__name__)


def filters_from(state: Mapping[str, Any] | None) -> Filters | None:
    """The filters of the UI state ({since, until, doc_ids}); QueryError when a date is not a date."""
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
