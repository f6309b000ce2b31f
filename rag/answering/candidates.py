"""Candidate answer sentences of the retrieved passages, each with generic features.

A feature says how well a sentence answers the question without any word list of one corpus: how close
the model puts it to the question (alone and with its neighbours), how much of the question's rarer
terms it states (rarity from the index), whether it names what the question names, holds the kind of
value asked for near what is asked about, is about the year asked about, and how well its passage ranked.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.answering.question import MONTHS, YEAR, Question, years_in
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.tokenize import stem, terms, words
from rag.numbers import has_number
from rag.text import quotable_spans
from rag.types import Passage

FEATURES = (
    "similarity",  # cosine of question and sentence
    "context_similarity",  # cosine of question and the sentence with its neighbours
    "coverage",  # share of the question's terms (weighted by rarity) the sentence states
    "context_coverage",  # the same, counting neighbours, heading and title
    "names",  # share of the question's names stated in the sentence, its neighbours, heading or title
    "focus",  # share of the question's two rarest terms stated there: what it is really about
    "kind",  # holds the kind of value asked for (a number, a date, a name...)
    "kind_near",  # holds it near a term of the question
    "years",  # about the year the question asks about (1 when it asks about none)
    "rank",  # 1 / (1 + rank of its passage)
    "passage_coverage",  # share of the question's weighted terms its passage (with title and heading) states
    "rarest_missing",  # rarity of the rarest question term its passage lacks, against the question's rarest
    "novelty",  # share of its terms the question does not use: an answer adds something
)
NEAR_TOKENS = 6
CACHED_SENTENCES = 50_000  # about 75 MB of vectors
FOCUS_TERMS = 2
_PLANS = frozenset(stem(w) for w in "target aim ambition goal plan pledge commit intend expect seek".split())
# A question about what is expected or possible asks for a plan's figure, not against it ("may" in lower case
# only: "May 2022" is a month; no "due to", as often a cause as a schedule).
_PROSPECTIVE = re.compile(
    r"\b(will|would|could|might|(?-i:may)|shall|should|going to|set to|said to|expected|projected|forecast"
    r"|estimated|anticipated|potential(ly)?)\b",
    re.I,
)
_PERSON = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+\s+[A-Z][a-z]+\b")
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][\w-]+")  # a capitalised word past the sentence's first
_RULE = re.compile(r"^\|?\s*:?-{3,}")  # the line under a table's header
_ABSENCE = re.compile(
    r"\b(no|not|none|nor|without)\b.{0,80}\b(available|given|reported|published|disclosed|stated|provided?"
    r"|named|mentioned|listed)\b",
    re.I,
)
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,30}\b(instructions?|rules|prompt)\b|\bsystem prompt\b"
    r"|\byou are (now )?(an? )?(ai|assistant|chatbot|language model)\b",
    re.I,
)


class SentenceEncoder:
    """Sentence vectors, remembered: the same passages come back question after question."""

    def __init__(self, embedder: Embedder, size: int = CACHED_SENTENCES) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = list(self.embedder.encode(missing)) if missing else []
        with self._lock:
            self._vectors.update(zip(missing, fresh, strict=True))
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
            rows = [self._vectors[t] for t in texts]
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    rank: int
    text: str
    features: tuple[float, ...]
    target: bool = False  # states a figure as a target or plan, which the question does not ask about

    def feature(self, name: str) -> float:
        return self.features[FEATURES.index(name)]


def quote(text: str) -> str:
    """Whitespace repair only, plus the list bullet that is layout, not words."""
    return re.sub(r"\s+", " ", re.sub(r"^\s*[-*\u2022]\s+", "", text)).strip()


def not_an_answer(text: str) -> bool:
    """Labels, links, table rules, notes of what a document leaves out, and text addressed to an AI (a prompt
    injection is data, never an answer) are not answers."""
    content = terms(text)
    if len(content) < 2 or "http" in text or text.startswith("#") or _ABSENCE.search(text) or _RULE.match(text):
        return True
    return bool(_INSTRUCTION.search(text))


def weights(question: Question, lexical: LexicalIndex) -> dict[str, float]:
    """Each question term weighted by its rarity in the index: common words say little about the answer."""
    return {t: lexical.idf(t) for t in question.terms}


def _share(weights: dict[str, float], present: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def _kind(question: Question, text: str) -> tuple[float, float]:
    """Does the sentence hold the kind of value asked for, and is it close to a term of the question?"""
    tokens = words(text)
    stems = [stem(w) for w in tokens]
    wanted = set(question.counted) or set(question.terms) - set(MONTHS)
    anchors = [i for i, s in enumerate(stems) if s in wanted]
    if question.wants == "number":
        values = [i for i, w in enumerate(tokens) if has_number(w) and not YEAR.fullmatch(w)]
    elif question.wants == "date":
        values = [i for i, w in enumerate(tokens) if YEAR.fullmatch(w) or w in MONTHS]
    elif question.wants == "person":
        found = float(bool(_PERSON.search(text)))
        return found, found
    elif question.wants == "list":
        found = float(len(_CAPITALISED.findall(text)) >= 2 or text.count(",") >= 2)
        return found, found
    elif question.wants == "name":
        found = float(bool(_CAPITALISED.search(text)))
        return found, found
    else:
        return 1.0, 1.0
    if not values:
        return 0.0, 0.0
    return 1.0, float(any(abs(v - a) <= NEAR_TOKENS for v in values for a in anchors))


def _target(text: str) -> bool:
    """A figure stated as a target: a word of intent shortly before a number ("aims to reach 100 clusters")."""
    tokens = words(text)
    intents = [i for i, w in enumerate(tokens) if stem(w) in _PLANS]
    figures = [i for i, w in enumerate(tokens) if has_number(w) and not YEAR.fullmatch(w)]
    return any(0 < f - i <= NEAR_TOKENS for i in intents for f in figures)


def _years(question: Question, text: str, around: str, passage: Passage) -> float:
    """A sentence naming no year takes its year from its neighbours, else its heading and title, else its date."""
    if not question.years:
        return 1.0
    for context in (text, around, f"{passage.title} {passage.section or ''}", (passage.date or "")[:4]):
        stated = set(years_in(context))
        if stated:
            return float(bool(stated & set(question.years)))
    return 0.0


def candidates(
    question: Question, passages: Sequence[Passage], lexical: LexicalIndex, encoder: SentenceEncoder
) -> list[Candidate]:
    """Every sentence of the passages that could be an answer, with its features."""
    weight = weights(question, lexical)
    asked = set(question.terms)
    focus = sorted(weight, key=lambda t: -weight[t])[:FOCUS_TERMS]
    top = max(weight.values(), default=0.0)
    prospective = bool(_PLANS & asked) or bool(_PROSPECTIVE.search(question.text))
    spans_of = [quotable_spans(p.text) for p in passages]
    texts = [quote(p.text[a:b]) for p, spans in zip(passages, spans_of, strict=True) for a, b in spans]
    vectors = encoder.encode([question.resolved, *texts])
    q, sentence_vectors = vectors[0], vectors[1:]
    found: list[Candidate] = []
    offset = 0
    for rank, (passage, spans) in enumerate(zip(passages, spans_of, strict=True)):
        local = sentence_vectors[offset : offset + len(spans)]
        sentences = texts[offset : offset + len(spans)]
        offset += len(spans)
        frame = set(terms(f"{passage.title} {passage.section or ''}"))
        said = [set(terms(s)) for s in sentences]
        whole = frame.union(*said)
        lacking = [weight[t] for t in weight if t not in whole]
        passage_features = (_share(weight, whole), max(lacking) / top if lacking and top else 0.0)
        for i, text in enumerate(sentences):
            header = i + 1 < len(sentences) and _RULE.match(sentences[i + 1])
            if header or not_an_answer(text) or text in (passage.section, passage.title):
                continue
            lo, hi = max(i - 1, 0), i + 2
            window = local[lo:hi].sum(axis=0)
            window = window / (np.linalg.norm(window) or 1.0)
            around = " ".join(sentences[lo:hi])
            nearby = set().union(*said[lo:hi]) | frame
            named = question.names
            features = (
                float(local[i] @ q),
                float(window @ q),
                _share(weight, said[i]),
                _share(weight, nearby),
                sum(n in nearby for n in named) / len(named) if named else 1.0,
                sum(t in nearby for t in focus) / len(focus) if focus else 1.0,
                *_kind(question, text),
                _years(question, text, around, passage),
                1.0 / (1 + rank),
                *passage_features,
                len(said[i] - asked) / len(said[i]) if said[i] else 0.0,
            )
            target = not prospective and _target(text)
            found.append(Candidate(passage, rank, text, features, target))
    return found
