"""The default answerer: quote the sentences of retrieved passages that answer the question.

Grounded by construction: every answer sentence is a sentence of its cited passage (whitespace
repaired only). Abstains unless a passage names the question's specific subject and a sentence
holds the kind of value asked for; when the value changed over time, the newest leads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.question import GENERIC, LIGHT, YEAR, Question, covers, stem, stems, terms, tokens
from rag.index.lexical import LexicalIndex
from rag.numbers import has_number, numbers
from rag.text import sentence_spans
from rag.types import Citation, Passage

ABSTAIN_TEXT = "The indexed documents do not answer this question."
# Calibrated on tests/data/testset.jsonl (see README, "Abstention").
MIN_CONTEXT = 0.3
MAX_SENTENCES = 4
NEAR_TOKENS = 4
ALSO_SCORE = 0.85  # a further sentence must score this share of the best one
GENERIC_WEIGHT = 0.3
LIGHT_WEIGHT = 0.05
PLANS = stems("target aim ambition goal plan")
TIME_VARYING = stems("member membership cluster emission potential reduction gdp job country co2 signatory")
_MONTHS = tuple("january february march april may june july august september october november december".split())
_MONTH_YEAR = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(?:\d{1,2},?\s+)?((?:19|20)\d{2})\b", re.I)
_NAME = re.compile(r"(?<=\s)[A-Z][\w-]+")
_PERSON = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+\s+[A-Z][a-z]+\b")


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    rank: int
    text: str
    coverage: float  # share of the question's weighted terms the sentence states
    context: float  # the same, counting its passage and document title too
    kind_ok: bool
    score: float


def _weights(question: Question, lexical: LexicalIndex) -> dict[str, float]:
    def weight(term: str) -> float:
        return LIGHT_WEIGHT if term in LIGHT else GENERIC_WEIGHT if term in GENERIC else 1.0

    return {t: lexical.idf(t) * weight(t) for t in question.terms}


def _share(weights: dict[str, float], present: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if covers(t, present)) / total if total else 0.0


def _near(values: list[int], anchors: list[int], window: int = NEAR_TOKENS) -> bool:
    return any(abs(v - a) <= window for v in values for a in anchors)


def _kind_ok(question: Question, text: str) -> bool:
    """Does the sentence hold the kind of value asked for, close to what the question names?"""
    words = tokens(text)
    stems = [stem(w) for w in words]
    if question.counted:
        wanted = {question.counted}
    else:
        wanted = {t for t in question.terms if not YEAR.fullmatch(t) and t not in _MONTHS}
        wanted = (wanted - GENERIC - LIGHT) or wanted
    anchors = [i for i, s in enumerate(stems) if any(covers(t, {s}) for t in wanted)]
    if question.wants == "number":
        values = [i for i, w in enumerate(words) if has_number(w) and not YEAR.fullmatch(w)]
        return _near(values, anchors)
    if question.wants == "date":
        values = [i for i, w in enumerate(words) if YEAR.fullmatch(w) or w in _MONTHS]
        return _near(values, anchors)
    if question.wants == "person":
        return bool(_PERSON.search(text))
    if question.wants == "list":
        return len(_NAME.findall(text)) >= 2
    return True


def _years_ok(question: Question, text: str, around: str, passage: Passage) -> bool:
    """A question about a given year needs a sentence about that year, not about another one.

    A sentence naming no year takes its year from its neighbours, else its heading and title,
    else its document's date.
    """
    if not question.years:
        return True
    for context in (text, around, f"{passage.title} {passage.section or ''}", (passage.date or "")[:4]):
        stated = {m.group() for m in YEAR.finditer(context)}
        if stated:
            return bool(stated & set(question.years))
    return False


def _quote(text: str) -> str:
    """Whitespace repair only, plus the list bullet that is layout, not words."""
    return re.sub(r"\s+", " ", re.sub(r"^\s*[-*\u2022]\s+", "", text)).strip()


_ABSENCE = re.compile(
    r"\b(no|not|none|nor|without)\b.{0,80}\b(available|given|reported|published|disclosed|includes?|stated|provided?"
    r"|named|mentioned|listed)\b",
    re.I,
)


_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,30}\b(instructions?|rules|prompt)\b|\bsystem prompt\b"
    r"|\byou are (now )?(an? )?(ai|assistant|chatbot|language model)\b",
    re.I,
)


def _not_prose(text: str, words: set[str]) -> bool:
    """Headings, labels, link lists, notes of what a document leaves out, and text addressed to an AI
    (a prompt injection is data, never an answer) are not answers."""
    if len(words) < 3 or "http" in text or text.startswith("#") or _ABSENCE.search(text):
        return True
    if _INSTRUCTION.search(text):
        return True
    return not text.endswith((".", "!", "?", ":", ";", "|")) and len(words) < 8 and not has_number(text)


def sentences(question: Question, passages: Sequence[Passage], lexical: LexicalIndex) -> list[Sentence]:
    weights = _weights(question, lexical)
    found: list[Sentence] = []
    for rank, passage in enumerate(passages):
        around = set(terms(f"{passage.title} {passage.section or ''} {passage.text}"))
        heading = set(terms(passage.section or ""))
        spans = sentence_spans(passage.text)
        local = [set(terms(passage.text[a:b])) for a, b in spans]
        for index, (start, end) in enumerate(spans):
            text = _quote(passage.text[start:end])
            words = local[index]
            # Names may sit in the neighbouring sentence ("LFEC ... It uses 30% of ...").
            nearby = words.union(*local[max(index - 1, 0) : index + 2], heading)
            if _not_prose(text, words) or text in (passage.section, passage.title):
                continue
            if (passage.section or "").lower().startswith("source"):
                continue
            coverage = _share(weights, words)
            context = _share(weights, words | around)
            named = all(covers(e, nearby) for e in question.entities)
            named = named and (question.attribute is None or covers(question.attribute, nearby))
            neighbours = " ".join(passage.text[a:b] for a, b in spans[max(index - 1, 0) : index + 2])
            kind = named and _kind_ok(question, text) and _years_ok(question, text, neighbours, passage)
            kind = kind and not _plan_unasked(text, passage, question)
            brevity = min(1.0, 15 / len(words))  # a short sentence covering the terms is a direct answer
            score = (
                0.5 * coverage + 0.3 * context + 0.2 / (1 + rank) + (0.15 if kind else 0.0) + 0.1 * coverage * brevity
            )
            found.append(Sentence(passage, rank, text, coverage, context, kind, score))
    found.sort(key=lambda s: -s.score)
    return found


def as_of(sentence: Sentence) -> str:
    """The date a figure belongs to: the latest month the sentence names, else its document's date."""
    mentions = [(int(m.group(2)), _MONTHS.index(m.group(1).lower())) for m in _MONTH_YEAR.finditer(sentence.text)]
    if mentions:
        year, month = max(mentions)
        return f"{year:04d}-{month + 1:02d}"
    return (sentence.passage.date or "")[:7]


def month_label(period: str) -> str:
    if len(period) < 7:
        return "undated"
    return f"{_MONTHS[int(period[5:7]) - 1].capitalize()} {period[:4]}"


def _similar(a: str, b: str) -> bool:
    wa, wb = set(terms(a)), set(terms(b))
    return bool(wa | wb) and len(wa & wb) / len(wa | wb) >= 0.6


@dataclass(frozen=True)
class Extracted:
    """An extractive answer: text with [n] markers, its citations, and whether it abstained."""

    text: str
    citations: list[Citation]
    abstained: bool


ABSTAINED = Extracted(ABSTAIN_TEXT, [], True)


def answer_extractive(question: Question, passages: Sequence[Passage], lexical: LexicalIndex) -> Extracted:
    ranked = sentences(question, passages, lexical)
    usable = [s for s in ranked if s.context >= MIN_CONTEXT and s.kind_ok]
    if not usable:
        return ABSTAINED
    best = usable[0]
    asked = set(question.terms)
    temporal = question.wants == "number" and not question.years and TIME_VARYING & asked and not PLANS & asked
    if temporal:
        picked = _over_time(best, usable, question)
        if len(picked) > 1:
            citations = [Citation(n, s.passage, s.text, 1.0) for n, s in enumerate(picked, start=1)]
            lines = [f"Most recent ({month_label(as_of(picked[0]))}): {picked[0].text} [1]"]
            lines += [f"Earlier ({month_label(as_of(s))}): {s.text} [{n}]" for n, s in enumerate(picked[1:], 2)]
            return Extracted("\n".join(lines), citations, False)
    picked = [best]
    for candidate in usable[1:]:
        if len(picked) >= MAX_SENTENCES or candidate.score < ALSO_SCORE * best.score:
            break
        if not any(_similar(candidate.text, p.text) for p in picked):
            picked.append(candidate)
    citations = [Citation(n, s.passage, s.text, 1.0) for n, s in enumerate(picked, start=1)]
    return Extracted(" ".join(f"{s.text} [{n}]" for n, s in enumerate(picked, start=1)), citations, False)


def _plan_unasked(text: str, passage: Passage, question: Question) -> bool:
    """A target is not a result: leave targets out unless the question asks for them."""
    said = set(terms(f"{passage.section or ''} {text}"))
    return bool(PLANS & said) and not PLANS & set(question.terms)


def _over_time(best: Sentence, usable: list[Sentence], question: Question) -> list[Sentence]:
    """One sentence per period that states the quantity, newest period first.

    Sentences that date their own figure go first, so a later document restating an old figure
    does not pass it off as its own; a figure already shown is not repeated.
    """
    by_period: dict[str, Sentence] = {}
    shown: set[float] = set()
    eligible = [s for s in usable if s.coverage >= 0.6 * best.coverage]
    eligible.sort(key=lambda s: (not _MONTH_YEAR.search(s.text), -s.score))
    for sentence in eligible:
        period = as_of(sentence)
        figures = {n for n in numbers(YEAR.sub("", sentence.text), words=True)}
        if not period or period in by_period or (figures and figures <= shown):
            continue
        by_period[period] = sentence
        shown |= figures
    return [by_period[p] for p in sorted(by_period, reverse=True)][:MAX_SENTENCES]
