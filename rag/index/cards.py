"""Document cards: the words that name each document, for routing a question to the documents it names.

A card holds a document's title, the words of its file name, its year, and the names it states most:
capitalised words frequent in it and rare in the other documents (a company's own name in its annual
report, a cluster's name in its profile), each stated across the document, not in one passage. A word
that most documents state (capitalised) names none of them and is left off every card, title included.
Learnt from the indexed chunks; no word list.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.index.tokenize import terms
from rag.types import Passage

TOP_NAMES = 30  # names kept per document
# A document's own name runs through it; a name stated in fewer of its chunks than this (a count and a
# share) is mentioned in passing and does not name the document.
MIN_CHUNKS = 3
MIN_SPREAD = 0.05
# A capitalised word stated in more than this share of the documents names none of them ("Company",
# "Group", "December", the publisher's own name), even in a title.
MAX_DOC_SHARE = 0.5
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z&'-]*[A-Za-z]\b")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class DocumentCards:
    """One card per document, searchable with BM25; `stamp` is the store generation they were built from."""

    stamp: str
    doc_ids: list[str]
    cards: list[list[str]]
    chunks: list[int]  # each document's number of chunks
    model: Any  # bm25s.BM25 over the cards, or None when there are none

    @classmethod
    def build(cls, passages: Iterable[Passage], stamp: str) -> DocumentCards:
        heads: dict[str, list[str]] = {}
        stated: dict[str, Counter[str]] = defaultdict(Counter)
        spread_in: dict[str, Counter[str]] = defaultdict(Counter)  # chunks of the document stating each name
        chunks: Counter[str] = Counter()
        for p in passages:
            if p.doc_id not in heads:
                year = p.date[:4] if p.date else ""
                heads[p.doc_id] = terms(f"{p.title} {_SEPARATORS.sub(' ', p.doc_id)} {year}")
            found = [t for word in _CAPITALISED.findall(p.text) for t in terms(word)]
            stated[p.doc_id].update(found)
            spread_in[p.doc_id].update(set(found))
            chunks[p.doc_id] += 1
        doc_ids = sorted(heads)
        spread = Counter(t for counts in stated.values() for t in counts)  # documents stating each name

        def weight(counts: Counter[str], term: str) -> float:
            return counts[term] * math.log(1 + len(doc_ids) / spread[term])

        common = max(1.0, MAX_DOC_SHARE * len(doc_ids))
        cards: list[list[str]] = []
        for doc_id in doc_ids:
            counts = stated[doc_id]
            within = spread_in[doc_id]
            least = max(MIN_CHUNKS, MIN_SPREAD * chunks[doc_id])
            stated_enough = [t for t in counts if within[t] >= least]
            top = sorted(stated_enough, key=lambda t: (-weight(counts, t), t))[:TOP_NAMES]
            card = [t for t in dict.fromkeys([*heads[doc_id], *top]) if spread[t] <= common]
            cards.append(card or ["\x00"])
        return cls.of(stamp, doc_ids, cards, [chunks[d] for d in doc_ids])

    @classmethod
    def of(cls, stamp: str, doc_ids: list[str], cards: list[list[str]], chunks: list[int]) -> DocumentCards:
        """Cards searchable with BM25 (indexing a few hundred short cards takes milliseconds)."""
        import bm25s

        model = None
        if cards:
            model = bm25s.BM25()
            model.index(cards, show_progress=False)
        return cls(stamp, doc_ids, cards, chunks, model)

    def save(self, path: Path) -> None:
        """Written beside the BM25 index at ingest: a one-shot `ask` reads them instead of every chunk."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(
            {"stamp": self.stamp, "doc_ids": self.doc_ids, "cards": self.cards, "chunks": self.chunks}
        ), "utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> DocumentCards | None:
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            return cls.of(saved["stamp"], saved["doc_ids"], saved["cards"], saved["chunks"])
        except (OSError, ValueError, KeyError):
            return None

    def scores(self, words: Iterable[str]) -> np.ndarray[Any, Any]:
        """BM25 score of each card (in doc_ids order) for these terms."""
        vocabulary = {t for card in self.cards for t in card}
        known = [t for t in words if t in vocabulary]
        if self.model is None or not known:
            return np.zeros(len(self.doc_ids))
        return np.asarray(self.model.get_scores(known), dtype=np.float64)
