"""The BM25 index over chunk texts: built by ingestion, saved beside the store, loaded once."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.index import tokenize
from rag.types import Filters, Passage, date_number

META_FILE = "chunks.json"


@dataclass
class LexicalIndex:
    """bm25s over our own tokens, plus per-chunk fields for filtering without Chroma."""

    stamp: str
    ids: list[str]
    doc_ids: np.ndarray[Any, Any]
    formats: np.ndarray[Any, Any]
    date_nums: np.ndarray[Any, Any]
    model: Any  # bm25s.BM25, or None for an empty index
    doc_freq: dict[str, int]  # chunks containing each term

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; a term no chunk contains gets the highest weight."""
        return math.log(1 + (len(self.ids) + 1) / (self.doc_freq.get(term, 0) + 0.5))

    @classmethod
    def build(cls, passages: Iterable[Passage], stamp: str) -> LexicalIndex:
        import bm25s

        ids, tokenised, doc_ids, formats, dates = [], [], [], [], []
        for p in passages:
            ids.append(p.chunk_id)
            # The title is searchable too: a passage rarely repeats its document's name.
            tokenised.append(tokenize.terms(f"{p.title} {p.section or ''} {p.text}") or ["\x00"])
            doc_ids.append(p.doc_id)
            formats.append(p.format)
            dates.append(date_number(p.date) or 0)
        model = None
        if ids:
            model = bm25s.BM25()
            model.index(tokenised, show_progress=False)
        doc_freq = Counter(t for toks in tokenised for t in set(toks))
        return cls(
            stamp,
            ids,
            np.array(doc_ids, dtype=object),
            np.array(formats, dtype=object),
            np.array(dates, dtype=np.int64),
            model,
            dict(doc_freq),
        )

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then swap it in: a reader never sees half an index."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(tmp), show_progress=False)
        meta = {
            "tokenizer": tokenize.VERSION,
            "stamp": self.stamp,
            "ids": self.ids,
            "doc_ids": self.doc_ids.tolist(),
            "formats": self.formats.tolist(),
            "date_nums": self.date_nums.tolist(),
            "doc_freq": self.doc_freq,
        }
        (tmp / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        import bm25s

        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            if meta.get("tokenizer") != tokenize.VERSION:  # tokenised another way: rebuild
                return None
            model = bm25s.BM25.load(str(folder), show_progress=False) if meta["ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(
            meta["stamp"],
            meta["ids"],
            np.array(meta["doc_ids"], dtype=object),
            np.array(meta["formats"], dtype=object),
            np.array(meta["date_nums"], dtype=np.int64),
            model,
            meta["doc_freq"],
        )

    def search(self, query: str, k: int, mask: np.ndarray[Any, Any] | None = None) -> list[tuple[str, float]]:
        """Top k (chunk id, score) with a positive score, among chunks the mask allows."""
        known = [t for t in tokenize.terms(query) if t in self.doc_freq]
        if self.model is None or not known:
            return []
        scores = np.asarray(self.model.get_scores(known), dtype=np.float64)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def documents_stating(self, term: str) -> set[str]:
        """The documents with a chunk (its title and heading included) containing the stemmed term."""
        if self.model is None or term not in self.doc_freq:
            return set()
        scores = np.asarray(self.model.get_scores([term]), dtype=np.float64)
        return set(self.doc_ids[scores > 0].tolist())

    def mask(self, filters: Filters | None) -> np.ndarray[Any, Any] | None:
        """Which chunks the filters allow (None: all of them)."""
        if filters is None or filters == Filters():
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.doc_ids:
            keep &= np.isin(self.doc_ids, list(filters.doc_ids))
        if filters.formats:
            keep &= np.isin(self.formats, list(filters.formats))
        since, until = date_number(filters.since), date_number(filters.until)
        if since:
            keep &= self.date_nums >= since
        if until:
            keep &= (self.date_nums <= until) & (self.date_nums > 0)
        return keep
