"""Hybrid retrieval: dense (Chroma) and BM25, fused by reciprocal rank, near-duplicates grouped."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.answering.question import Question, without
from rag.answering.route import Route, route
from rag.errors import QueryError
from rag.index.cards import DocumentCards
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.store import Store
from rag.index.tokenize import terms
from rag.types import MODES, Filters, Mode, Passage

RRF_K = 60
DUPLICATE_JACCARD = 0.6
BOOST = 1.5  # a weakly named document's passages: fused score times this
FORMATS = ("markdown", "text", "html", "pdf", "docx")


def date_bound(value: str | None, end: bool) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as an inclusive ISO date bound (the period's first or last day)."""
    if not value:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return f"{value}-12-31" if end else f"{value}-01-01"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            first = dt.date.fromisoformat(value + "-01")
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            return (last if end else first).isoformat()
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise QueryError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


def mode_of(value: str) -> Mode:
    """A retrieval mode named by a person (a form field, a setting)."""
    for mode in MODES:
        if value == mode:
            return mode
    raise QueryError(f"unknown retrieval {value!r}; retrievals are {', '.join(MODES)}")


def make_filters(
    since: str | None = None, until: str | None = None, formats: Sequence[str] = (), doc_ids: Sequence[str] = ()
) -> Filters:
    lower, upper = date_bound(since, end=False), date_bound(until, end=True)
    if lower and upper and lower > upper:
        raise QueryError(f"the date range is empty: {lower} is after {upper}")
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise QueryError(f"unknown format {', '.join(unknown)}; formats are {', '.join(FORMATS)}")
    return Filters(lower, upper, tuple(formats), tuple(doc_ids))


@dataclass(frozen=True)
class Retrieval:
    """The passages found, best first, and what each stage took (a stage that did not run took None)."""

    passages: list[Passage]
    embed_ms: float | None = None
    dense_ms: float | None = None
    bm25_ms: float | None = None
    route: Route | None = None

    def timings(self) -> dict[str, float]:
        stages = {"embed_ms": self.embed_ms, "dense_ms": self.dense_ms, "bm25_ms": self.bm25_ms}
        return {name: ms for name, ms in stages.items() if ms is not None}


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def retrieve(
    store: Store,
    embedder: Embedder,
    question: Question,
    k: int,
    *,
    filters: Filters | None = None,
    mode: Mode = "hybrid",
    lexical: LexicalIndex | None = None,
    cards: DocumentCards | None = None,
) -> Retrieval:
    """The k best passages for the question; `lexical` defaults to the store's current BM25 index.

    With `cards`, a question that names documents is routed: searched in them alone when it names them
    clearly, their passages ranked higher when weakly. Documents chosen in the filters are never overruled.
    """
    chosen = None
    if cards is not None and not (filters and filters.doc_ids):
        lexical = lexical if lexical is not None else store.lexical()
        chosen = route(cards, question, lexical)
    boosted = set(chosen.doc_ids) if chosen is not None and not chosen.clear else set()
    text = question.search_text
    if chosen is not None and chosen.clear:
        filters = replace(filters or Filters(), doc_ids=chosen.doc_ids)
        # Inside the named documents their names match everywhere: rank by the rest of the question.
        rest = without(text, chosen.names)
        text = rest if terms(rest) else text
    candidates = max(4 * k, 20)
    found: dict[str, Passage] = {}
    dense_rank: dict[str, int] = {}
    lexical_rank: dict[str, int] = {}
    lexical_score: dict[str, float] = {}
    embed_ms = dense_ms = bm25_ms = None

    if mode in ("hybrid", "dense"):
        started = time.perf_counter()
        vector = embedder.encode_query(text)
        embed_ms, started = _since(started), time.perf_counter()
        for rank, passage in enumerate(store.query(vector, candidates, filters)):
            dense_rank[passage.chunk_id] = rank
            found[passage.chunk_id] = passage
        dense_ms = _since(started)

    if mode in ("hybrid", "bm25"):
        started = time.perf_counter()
        lexical = lexical if lexical is not None else store.lexical()
        for rank, (cid, score) in enumerate(lexical.search(text, candidates, lexical.mask(filters))):
            lexical_rank[cid] = rank
            lexical_score[cid] = score
        for passage in store.get([cid for cid in lexical_rank if cid not in found]):
            found[passage.chunk_id] = passage
        bm25_ms = _since(started)

    fused = []
    for cid, passage in found.items():
        score = sum(1.0 / (RRF_K + 1 + ranks[cid]) for ranks in (dense_rank, lexical_rank) if cid in ranks)
        score *= BOOST if passage.doc_id in boosted else 1.0
        fused.append(replace(passage, score=score, bm25=lexical_score.get(cid)))
    fused.sort(key=lambda p: -p.score)
    if chosen is not None and chosen.clear and len(chosen.doc_ids) > 1:
        fused = take_turns(fused)
    return Retrieval(group_duplicates(fused, k), embed_ms, dense_ms, bm25_ms, chosen)


def take_turns(passages: list[Passage]) -> list[Passage]:
    """Each document's best passage, then each one's second best, and so on: a question naming two reaches both."""
    seen: dict[str, int] = {}
    turns = []
    for passage in passages:
        turns.append(seen.get(passage.doc_id, 0))
        seen[passage.doc_id] = turns[-1] + 1
    order = sorted(range(len(passages)), key=lambda i: (turns[i], i))
    return [passages[i] for i in order]


def group_duplicates(passages: list[Passage], limit: int | None = None) -> list[Passage]:
    """Fold passages that say the same thing into the best-ranked one, remembering their documents.

    With a limit, only the first `limit` groups are kept: a later passage is compared with those
    alone, since joining or starting a group after them would not change them.
    """
    kept: list[tuple[Passage, set[str]]] = []
    for passage in passages:
        words = set(terms(passage.text))
        for index, (best, best_words) in enumerate(kept):
            shared = len(words & best_words)
            union = len(words) + len(best_words) - shared  # the size of words | best_words, without building it
            if union and shared / union >= DUPLICATE_JACCARD:
                if passage.doc_id != best.doc_id and passage.doc_id not in best.also:
                    kept[index] = (replace(best, also=(*best.also, passage.doc_id)), best_words)
                break
        else:
            if limit is None or len(kept) < limit:
                kept.append((passage, words))
    return [p for p, _ in kept]
