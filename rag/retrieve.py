"""Hybrid retrieval: dense (Chroma) and BM25, fused by reciprocal rank, near-duplicates grouped."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rag.embedder import Embedder
from rag.errors import QueryError
from rag.lexical import LexicalIndex
from rag.question import Question, terms
from rag.store import Store, date_number
from rag.types import Filters, Passage

RRF_K = 60
DUPLICATE_JACCARD = 0.6
MODES = ("hybrid", "dense", "bm25")
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


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.since:
        clauses.append({"date_num": {"$gte": date_number(filters.since)}})
    if filters.until:
        clauses.append({"date_num": {"$lte": date_number(filters.until)}})
    if filters.formats:
        clauses.append({"format": {"$in": list(filters.formats)}})
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta.get("doc_id", "")),
        text=text,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        date=meta.get("date") or None,
        format=str(meta.get("format", "")),
        page=meta.get("page"),
        section=meta.get("section"),
        char_start=int(meta.get("char_start", 0)),
        char_end=int(meta.get("char_end", 0)),
        score=score,
    )


def retrieve(
    store: Store,
    embedder: Embedder,
    question: Question,
    k: int,
    filters: Filters | None = None,
    mode: str = "hybrid",
    timings: dict[str, float] | None = None,
    lexical: LexicalIndex | None = None,
) -> list[Passage]:
    """The k best passages for the question, best first; `lexical` defaults to the store's current BM25 index."""
    timings = timings if timings is not None else {}
    candidates = max(4 * k, 20)
    found: dict[str, Passage] = {}
    dense_rank: dict[str, int] = {}
    lexical_rank: dict[str, int] = {}
    lexical_score: dict[str, float] = {}

    if mode in ("hybrid", "dense"):
        started = time.perf_counter()
        vector = embedder.encode_query(question.search_text)
        timings["embed_ms"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        got = store.chunks.query(
            query_embeddings=[vector],
            n_results=candidates,
            where=chroma_where(filters),
            include=["documents", "metadatas", "distances"],
        )
        for rank, (cid, text, meta, dist) in enumerate(
            zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True)
        ):
            dense_rank[cid] = rank
            found[cid] = replace(_passage(cid, text, meta, 0.0), dense=1.0 - float(dist))
        timings["dense_ms"] = (time.perf_counter() - started) * 1000

    if mode in ("hybrid", "bm25"):
        started = time.perf_counter()
        lexical = lexical if lexical is not None else store.lexical()
        f = filters or Filters()
        mask = lexical.mask(f.doc_ids, f.formats, date_number(f.since), date_number(f.until))
        for rank, (cid, score) in enumerate(lexical.search(terms(question.search_text), candidates, mask)):
            lexical_rank[cid] = rank
            lexical_score[cid] = score
        missing = [cid for cid in lexical_rank if cid not in found]
        for cid, text, meta in store.get_chunks(ids=missing):
            found[cid] = _passage(cid, text, meta, 0.0)
        timings["bm25_ms"] = (time.perf_counter() - started) * 1000

    fused = []
    for cid, passage in found.items():
        score = sum(1.0 / (RRF_K + 1 + ranks[cid]) for ranks in (dense_rank, lexical_rank) if cid in ranks)
        fused.append(replace(passage, score=score, bm25=lexical_score.get(cid)))
    fused.sort(key=lambda p: -p.score)
    return group_duplicates(fused, k)


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
