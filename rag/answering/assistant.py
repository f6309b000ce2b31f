"""Answering: resolve the question, retrieve, answer (extractive or LLM), verify, time each step."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from rag.answering.candidates import SentenceEncoder
from rag.answering.extractive import ABSTAIN_TEXT, answer_extractive
from rag.answering.generate import build_messages, client, stream_text, verify
from rag.answering.question import Question, analyse
from rag.answering.retrieve import Retrieval, retrieve
from rag.answering.verifier import Verifier
from rag.config import AppConfig
from rag.errors import LLMError
from rag.index.embedder import Embedder
from rag.index.excerpt import excerpt
from rag.index.lexical import LexicalIndex
from rag.index.store import Store
from rag.types import Answer, Excerpt, Filters, Mode, Passage

NEAREST = 3
WARM_UP_QUESTION = "How many member clusters does the initiative have?"


class Assistant:
    """Holds the embedder and store of one process; answers questions against them."""

    def __init__(self, config: AppConfig, embedder: Embedder, store: Store) -> None:
        self.config = config
        self.embedder = embedder
        self.store = store
        self.sentences = SentenceEncoder(embedder)
        self.verifier = Verifier(embedder.cache_dir)
        self._llm: Any = None

    def answer(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        retrieval: Mode = "hybrid",
    ) -> Answer:
        return _last(self.stream(question, history, filters, k, retrieval))

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None, retrieval: Mode = "hybrid"
    ) -> list[Passage]:
        """The passages that best match the query, best first, with no answer made from them."""
        found, _ = self.read(analyse(query), k or self.config.k, self.store.lexical(), filters, retrieval)
        return found.passages

    def excerpt(self, passage: Passage) -> Excerpt | None:
        """The page or section around a passage, for reading it in its document."""
        return excerpt(self.store, passage)

    def stream(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        retrieval: Mode = "hybrid",
    ) -> Iterator[Answer]:
        """Yield partial answers while an LLM streams; the last one is final and verified."""
        started = time.perf_counter()
        extractive = self._extractive(question, history, filters, k, retrieval)
        passages, timings = extractive.retrieved[: k or self.config.k], extractive.timings_ms
        if self.config.llm_enabled and passages:
            yield from self._generate(history or [], passages, extractive, timings, started)
        else:
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            yield extractive

    def warm_up(self) -> None:
        """Load the model, open the store, read BM25 and answer one question (no LLM): the next costs no more."""
        self._extractive(WARM_UP_QUESTION, None, None, None, "hybrid")

    def read(
        self,
        parsed: Question,
        depth: int,
        lexical: LexicalIndex,
        filters: Filters | None = None,
        retrieval: Mode = "hybrid",
    ) -> tuple[Retrieval, Question]:
        """The passages for a question (routed by the document cards), and the question as the answerer reads it.

        A long document's own name runs through its pages (cover, headers, statements' titles): inside it
        the name points at the pages repeating it, not at the one that answers. (In an article about what
        it names, the name is part of what is asked; measured in BENCHMARKS.md.)
        """
        found = retrieve(
            self.store,
            self.embedder,
            parsed,
            depth,
            filters=filters,
            mode=retrieval,
            lexical=lexical,
            cards=self.store.cards(),
        )
        chosen = found.route
        inside = parsed.inside(chosen.names) if chosen is not None and chosen.clear and chosen.long else parsed
        return found, inside

    def _extractive(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None,
        filters: Filters | None,
        k: int | None,
        retrieval: Mode,
    ) -> Answer:
        parsed = analyse(question, history)
        # One read of the generation per question: retrieval and the answerer share this BM25 index.
        lexical = self.store.lexical()
        # The answer reads twice k passages, since figures from other dates live further down;
        # the first k are the ones shown (and given to an LLM).
        found, inside = self.read(parsed, 2 * (k or self.config.k), lexical, filters, retrieval)
        timings = found.timings()
        pool = found.passages
        passages = pool[: k or self.config.k]
        begun = time.perf_counter()
        extracted = answer_extractive(inside, pool, lexical, self.sentences, self.verifier)
        timings["answer_ms"] = (time.perf_counter() - begun) * 1000
        abstained = extracted.abstained or not passages
        return Answer(
            question=question,
            text=ABSTAIN_TEXT if abstained else extracted.text,
            citations=extracted.citations,
            abstained=abstained,
            mode="extractive",
            timings_ms=timings,
            nearest=passages[:NEAREST] if abstained else [],
            retrieved=pool,
        )

    def _generate(
        self,
        history: Sequence[dict[str, str]],
        passages: list[Passage],
        fallback: Answer,
        timings: dict[str, float],
        began: float,
    ) -> Iterator[Answer]:
        """Stream the LLM's reply, then replace it by its verified sentences; fall back when it fails."""
        started = time.perf_counter()
        if self._llm is None:
            self._llm = client(self.config)
        messages = build_messages(fallback.question, passages, history)
        reply = ""
        try:
            for reply in stream_text(self._llm, messages):
                yield replace(fallback, text=reply, citations=[], mode="llm", nearest=[])
        except LLMError as exc:
            timings["llm_ms"] = (time.perf_counter() - started) * 1000
            timings["total_ms"] = (time.perf_counter() - began) * 1000
            yield replace(fallback, notice=f"The LLM did not answer ({exc}); this is the extractive answer.")
            return
        checked = verify(reply, passages, self.embedder)
        timings["llm_ms"] = (time.perf_counter() - started) * 1000
        timings["total_ms"] = (time.perf_counter() - began) * 1000
        if checked.abstained:
            yield replace(
                fallback, text=ABSTAIN_TEXT, citations=[], abstained=True, mode="llm", nearest=passages[:NEAREST]
            )
        elif not checked.citations:
            yield replace(
                fallback,
                notice="No sentence of the generated answer was supported by the sources; "
                "this is the extractive answer.",
                unsupported=checked.dropped,
            )
        else:
            yield replace(
                fallback,
                text=checked.text,
                citations=checked.citations,
                abstained=False,
                mode="llm",
                nearest=[],
                unsupported=checked.dropped,
            )


def _last(answers: Iterator[Answer]) -> Answer:
    *_, final = answers
    return final
