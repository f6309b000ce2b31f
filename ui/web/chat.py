"""The chat's behaviour, callable without a server: answer a message, pick an answer, open a source."""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rag.assistant import Assistant
from rag.errors import ClusterQAError
from rag.retrieve import make_filters
from rag.store import Store
from rag.types import Answer, Filters, Passage
from ui.context import AppContext
from ui.web import format as fmt

Message = dict[str, Any]
# Chunks either side of the passage shown when its document has no pages or sections to go by.
CONTEXT_CHUNKS = 2
MAX_VIEW_CHUNKS = 9


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
        self.assistant = Assistant(ctx.config, ctx.embedder, ctx.store)

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
            traceback.print_exc()
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
        return fmt.document_html(passage, excerpt(self.ctx.store, passage), quote)


def excerpt(store: Store, passage: Passage) -> fmt.Excerpt | None:
    """The passage's PDF page or section, rebuilt from the stored chunks of the same document version."""
    version = passage.chunk_id.rsplit("#", 1)[0] + "#"
    chunks = [
        (meta, text)
        for cid, text, meta in store.get_chunks({"doc_id": passage.doc_id})
        if cid.startswith(version) and text
    ]
    if not chunks:
        return None
    chunks.sort(key=lambda item: int(item[0].get("chunk_index", 0)))
    at = next((i for i, (meta, _) in enumerate(chunks) if int(meta.get("char_start", -1)) == passage.char_start), None)
    if at is None:
        return None
    if passage.page is not None:
        same = [i for i, (m, _) in enumerate(chunks) if m.get("page") == passage.page]
    elif passage.section:
        same = [i for i, (m, _) in enumerate(chunks) if m.get("section") == passage.section]
    else:
        same = list(range(at - CONTEXT_CHUNKS, at + CONTEXT_CHUNKS + 1))
    half = MAX_VIEW_CHUNKS // 2
    chosen = [chunks[i] for i in same if 0 <= i < len(chunks) and abs(i - at) <= half] or [chunks[at]]
    return _join(chosen, passage)


def _join(chunks: Sequence[tuple[Mapping[str, Any], str]], passage: Passage) -> fmt.Excerpt:
    """Overlapping chunks back into one text, by their character spans in the document."""
    parts: list[str] = []
    first = int(chunks[0][0].get("char_start", 0))
    end = first
    for meta, text in chunks:
        start = int(meta.get("char_start", end))
        if start >= end:
            if parts:
                parts.append("\n\n" if start - end >= 2 else " ")
            parts.append(text)
        elif start + len(text) > end:
            parts.append(text[end - start :])
        end = max(end, start + len(text))
    joined = "".join(parts)
    # Offsets in the joined text equal the document's when no gap was filled; find the passage to be sure.
    at = joined.find(passage.text)
    if at < 0:
        at = max(0, passage.char_start - first)
    return fmt.Excerpt(joined, at, at + len(passage.text))
