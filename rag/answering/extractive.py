"""The default answerer: quote the sentences of retrieved passages that answer the question.

Grounded by construction: every answer sentence is a sentence of its cited passage (whitespace
repaired only), so no figure appears that its passage does not state. Candidate sentences are scored
by a small logistic model over generic features (rag/answering/candidates.py); the verifier (the embedding
model reading question and sentence together, rag/answering/verifier.py) reads the five best scored again,
and the one likeliest by both to state the answer leads. A second model decides whether that one answers at all,
reading also the verifier's judgement of it and of the sentence model's first, and sentences that cannot
hold the kind of value asked for (no figure for "how many") never do; else the answer abstains. When a
figure asked for changed over time, the newest leads with its date, then the earlier ones with theirs.
A compound question on which the whole abstains is answered part by part, saying which part found no
clear answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.candidates import FEATURES, Candidate, SentenceEncoder, candidates
from rag.answering.model import AnswererModel, load
from rag.answering.question import MONTHS, YEAR, Question, asks_money, names, parts
from rag.answering.verifier import Verifier
from rag.index.lexical import LexicalIndex
from rag.index.tokenize import terms
from rag.numbers import numbers
from rag.types import Citation, Passage

ABSTAIN_TEXT = "The indexed documents do not answer this question."
# A part of a compound question left unanswered, named by its place: echoing its words could show a figure
# that no cited passage states.
ORDINALS = ("first", "second", "third", "fourth", "fifth")
MAX_SENTENCES = 3
ALSO_SHARE = 0.3  # a further sentence must score this share of the best one
OVER_TIME_SHARE = 0.3
TARGET_PENALTY = 0.5  # a figure of another period must score this share of the best one
RERANKED = 5  # the sentence model's first candidates, read again by the verifier before one leads
_MONTH = "(" + "|".join(MONTHS) + ")"
# A sum of money: a currency's sign, code or name, or none to pay.
_MONEY = re.compile(
    r"[$€£¥₹₩]|\b(?:USD|EUR|GBP|JPY|CNY|RMB|AUD|CAD|CHF|SEK|NOK|DKK|INR|Rs|HKD|SGD|NZD|KRW|BRL|ZAR)(?:m|mn|bn|k)?"
    r"(?![a-z])|\b(?:dollars?|euros?|pounds?|sterling|yen|yuan|renminbi|rupees?|crores?|lakhs?|francs?|lira|lire"
    r"|pesos?|won|roubles?|rubles?|riyals?|dirhams?|kron(?:a|e|or|er)|cents?|pence)\b"
    r"|\b(?:free|no (?:cost|charge|fee)|nothing)\b",
    re.I,
)
_DATE = re.compile(
    r"\b(1\d{3}|20\d{2}|" + _MONTH + r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|today|yesterday|tomorrow|\d{1,2}(:\d{2})?\s?[ap]\.?m\b)",
    re.I,
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}},?\s+)?((?:19|20)\d{{2}})\b", re.I)
# A day of a month ("30 June", "December 9", "9th of May") is part of a date, not a figure.
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_OF_MONTH = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b|\b{_MONTH}\s+{_DAY}\b", re.I)


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    probability: float


@dataclass(frozen=True)
class Extracted:
    """An extractive answer: text with [n] markers, its citations, and whether it abstained."""

    text: str
    citations: list[Citation]
    abstained: bool


ABSTAINED = Extracted(ABSTAIN_TEXT, [], True)


def rank(
    question: Question,
    passages: Sequence[Passage],
    lexical: LexicalIndex,
    encoder: SentenceEncoder,
    model: AnswererModel,
) -> list[Scored]:
    """Candidate sentences, most likely answer first."""
    found = candidates(question, passages, lexical, encoder)
    return sorted((Scored(c, sentence_score(model, c)) for c in found), key=lambda s: -s.probability)


def verified_order(
    question: Question, ranked: Sequence[tuple[float, str]], verifier: Verifier
) -> tuple[list[int], list[float]]:
    """The order in which candidates (probability, text; the sentence model's best first) are offered once the
    verifier has read the first RERANKED, by the sentence model's probability times the verifier's squared (a
    sentence ranked second that states what is asked leads a topical one that does not), and the verifier's
    verdicts on those first ones, in their original order. A question naming a year keeps the sentence model's
    order, which weighs whether a sentence is about that year (the verifier does not)."""
    head = ranked[:RERANKED]
    verdicts = verifier.probabilities(question.text, [text for _, text in head])
    if question.years:
        return list(range(len(ranked))), verdicts
    order = sorted(range(len(head)), key=lambda i: -head[i][0] * verdicts[i] ** 2)
    return order + list(range(len(head), len(ranked))), verdicts


@dataclass(frozen=True)
class Verified:
    """Candidates in the order they are offered (verified_order), and the verifier's verdicts on the first of them
    and on the sentence model's first."""

    ranked: list[Scored]
    lead: float
    first: float


def _verified(question: Question, ranked: list[Scored], verifier: Verifier) -> Verified:
    order, verdicts = verified_order(question, [(s.probability, s.candidate.text) for s in ranked], verifier)
    if not verdicts:
        return Verified([], 0.0, 0.0)
    return Verified([ranked[i] for i in order], verdicts[order[0]], verdicts[0])


def sentence_score(model: AnswererModel, candidate: Candidate) -> float:
    """The sentence model's probability; a figure stated as a target is not the result asked about."""
    return model.sentence.probability(candidate.features) * (TARGET_PENALTY if candidate.target else 1.0)


ANSWER_FEATURES = (
    "probability", "similarity", "coverage", "context_coverage", "names", "focus", "kind", "kind_near", "years",
    "passage_coverage", "rarest_missing", "margin", "verified", "verified_first",
)  # fmt: skip
_FROM_SENTENCE = [FEATURES.index(name) for name in ANSWER_FEATURES[1:-3]]


def answer_features(
    features: Sequence[float], probability: float, runner_up: float, verified: float, verified_first: float
) -> tuple[float, ...]:
    """What the answer model reads: the first sentence offered, its probability and features, its lead over the
    next, and the verifier's probabilities (as log-odds) that the sentence the answer leads with states the
    answer, and that the sentence model's first does."""
    return (
        probability,
        *(features[i] for i in _FROM_SENTENCE),
        probability - runner_up,
        _logit(verified),
        _logit(verified_first),
    )


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def runner_up(ranked: Sequence[tuple[float, str]]) -> float:
    """The probability of the best candidate (probability, text) after the first that gives another answer.

    The same sentence from another passage, or another sentence stating the same figure, backs the best
    one up: it does not compete with it, so it does not narrow its lead.
    """
    best = ranked[0][1]
    return next((p for p, text in ranked[1:] if not _agrees(text, best)), 0.0)


def _agrees(a: str, b: str) -> bool:
    """Two sentences agree when they say much the same, or state a figure or a day of a month in common."""
    return _similar(a, b) or bool(_figures(a, days=True) & _figures(b, days=True))


def _figures(text: str, words: bool = False, days: bool = False) -> set[float]:
    """The figures a sentence states (a year is a date, not a figure, and so is a day of a month unless days is
    set); in digits unless words is set."""
    if not days:
        text = _DAY_OF_MONTH.sub(lambda m: m.group(1) or m.group(2), text)
    return set(numbers(YEAR.sub("", text), words=words))


def answer_extractive(
    question: Question,
    passages: Sequence[Passage],
    lexical: LexicalIndex,
    encoder: SentenceEncoder,
    verifier: Verifier,
    model: AnswererModel | None = None,
) -> Extracted:
    """The answer to the question as a whole; when that abstains on a compound question, its parts'. A compound
    question is answered as a whole only where its best sentence can state the kind of value each part asks for
    (not a cost's part by a sentence naming the partners of the other)."""
    model = model or load()
    pieces = parts(question)
    compound = 1 < len(pieces) <= len(ORDINALS)
    offered = _verified(question, rank(question, passages, lexical, encoder, model), verifier)
    whole = _answer(question, offered, model, verifier, pieces if compound else [])
    if not whole.abstained or not compound:
        return whole
    return _in_parts(
        [(piece, _verified(piece, rank(piece, passages, lexical, encoder, model), verifier)) for piece in pieces],
        model,
        verifier,
    )


def _answer(
    question: Question, offered: Verified, model: AnswererModel, verifier: Verifier, pieces: Sequence[Question]
) -> Extracted:
    ranked = offered.ranked
    if not ranked:
        return ABSTAINED
    best = ranked[0]
    periods = _over_time(best, ranked) if _figure_asked(question, best) and not question.years else []
    if not _passes(question, offered, model, verifier, periods if len(periods) > 1 else ()):
        return ABSTAINED
    picked = _with_others(best, ranked)
    if not any(holds_kind(question, s.candidate.text) for s in picked):
        return ABSTAINED
    if not all(holds_kind(piece, best.candidate.text) for piece in pieces):
        return ABSTAINED
    if len(periods) > 1:
        citations = _citations(periods)
        lines = [f"Most recent ({month_label(as_of(periods[0]))}): {periods[0].candidate.text} [1]"]
        lines += [f"Earlier ({month_label(as_of(s))}): {s.candidate.text} [{n}]" for n, s in enumerate(periods[1:], 2)]
        return Extracted("\n".join(lines), citations, False)
    text = " ".join(f"{s.candidate.text} [{n}]" for n, s in enumerate(picked, start=1))
    return Extracted(text, _citations(picked), False)


def _passes(
    question: Question, offered: Verified, model: AnswererModel, verifier: Verifier, periods: Sequence[Scored] = ()
) -> bool:
    """The answer model's confidence that the first sentence offered answers, against its threshold. The
    verifier's verdicts are on that sentence and on the sentence model's first; for an answer over time, both
    are its verdict on the period that states the answer best (the answer shows them all: a question on the
    current count is not doubted for the oldest count ranking first)."""
    ranked = offered.ranked
    if not ranked:
        return False
    best = ranked[0]
    rival = runner_up([(s.probability, s.candidate.text) for s in ranked])
    if periods:
        verified = first = max(verifier.probabilities(question.text, [s.candidate.text for s in periods]))
    else:
        verified, first = offered.lead, offered.first
    features = answer_features(best.candidate.features, best.probability, rival, verified, first)
    confidence = model.answer.probability(features)
    return confidence >= model.threshold


def _in_parts(
    parts_offered: Sequence[tuple[Question, Verified]], model: AnswererModel, verifier: Verifier
) -> Extracted:
    """Each part's first sentence offered where it passes on its own; a part that finds none is named by its
    place."""
    lines: list[str] = []
    picked: list[Scored] = []
    for place, (piece, offered) in zip(ORDINALS, parts_offered, strict=False):
        ranked = offered.ranked
        if not _passes(piece, offered, model, verifier) or not holds_kind(piece, ranked[0].candidate.text):
            lines.append(f"No clear answer found to the question's {place} part.")
        elif all(ranked[0].candidate.text != p.candidate.text for p in picked):
            picked.append(ranked[0])
            lines.append(f"{ranked[0].candidate.text} [{len(picked)}]")
    if not picked:
        return ABSTAINED
    return Extracted(" ".join(lines), _citations(picked), False)


def holds_kind(question: Question, text: str) -> bool:
    """Whether a sentence can state the kind of value asked for: for "how many", a figure the question does not
    state (a sentence on "Scope 1 and 2 emissions" that repeats only those numbers gives no amount); for a sum
    of money, a currency or "free" ("how much does it cost" is not answered by a count of members); some date
    or time of day for "when"; a name the question does not already use for "who". Every other kind passes:
    "which" is answered by a name as often as by common words ("stage 3", "lower bounds"), and a reason has no
    form to check."""
    if question.wants in ("number", "any") and asks_money(question.text) and not _MONEY.search(text):
        return False
    if question.wants == "number":
        return bool(_figures(text, words=True) - _figures(question.text, words=True))
    if question.wants == "date":
        return bool(_DATE.search(text))
    if question.wants == "person":
        return _names_something_new(question, text)
    return True


def _names_something_new(question: Question, text: str) -> bool:
    """A name in the sentence (a capitalised word past its first, not a month) that the question does not use."""
    return bool(set(names(text)) - set(question.terms) - set(question.names))


def _with_others(best: Scored, ranked: Sequence[Scored]) -> list[Scored]:
    """The first sentence offered and up to two more, in the order offered, that score near it and say something
    else (the verifier's reading can bring a sentence the sentence model scores lower forward: no early stop)."""
    picked = [best]
    for other in ranked[1:]:
        if len(picked) >= MAX_SENTENCES:
            break
        near = other.probability >= ALSO_SHARE * best.probability
        if near and not any(_similar(other.candidate.text, p.candidate.text) for p in picked):
            picked.append(other)
    return picked


def _citations(picked: Sequence[Scored]) -> list[Citation]:
    return [Citation(n, s.candidate.passage, s.candidate.text, s.probability) for n, s in enumerate(picked, start=1)]


def as_of(scored: Scored) -> str:
    """The date a figure belongs to: the latest month the sentence names, else its document's date."""
    sentence = scored.candidate
    mentions = [(int(m.group(2)), MONTHS.index(m.group(1).lower())) for m in _MONTH_YEAR.finditer(sentence.text)]
    if mentions:
        year, month = max(mentions)
        return f"{year:04d}-{month + 1:02d}"
    return (sentence.passage.date or "")[:7]


def month_label(period: str) -> str:
    if len(period) < 7:
        return "undated"
    return f"{MONTHS[int(period[5:7]) - 1].capitalize()} {period[:4]}"


def _similar(a: str, b: str) -> bool:
    wa, wb = set(terms(a)), set(terms(b))
    return bool(wa | wb) and len(wa & wb) / len(wa | wb) >= 0.6


def _figure_asked(question: Question, best: Scored) -> bool:
    """A figure is asked for: by the question's wording, or (a "what is the ..." question) by its best answer."""
    if question.wants == "number":
        return True
    return question.wants == "any" and _states_figure(best)


def _states_figure(scored: Scored) -> bool:
    """States a figure (a year is a date, not a figure), and not as a target or plan."""
    c = scored.candidate
    return bool(_figures(c.text)) and not c.target


def _over_time(best: Scored, ranked: list[Scored]) -> list[Scored]:
    """One sentence per period stating the figure asked for, newest period first; one alone when only one.

    Periods are shown only when the documents disagree: the sentences come from two documents or more.
    One report's dates (a year end, a loan's date, a maturity) are not versions of one figure.
    Sentences that date their own figure go first, so a later document restating an old figure does
    not pass it off as its own; a figure already shown is not repeated; a target is not a result, nor
    is a date after its document's own (a deadline or a maturity).
    """
    eligible = [
        s
        for s in ranked
        if s.probability >= OVER_TIME_SHARE * best.probability
        and _states_figure(s)
        and s.candidate.feature("kind_near") == 1.0
        and not _after_its_document(s)
    ]
    eligible.sort(key=lambda s: (not _MONTH_YEAR.search(s.candidate.text), -s.probability))
    by_period: dict[str, Scored] = {}
    shown: set[float] = set()
    for scored in eligible:
        period = as_of(scored)
        figures = _figures(scored.candidate.text, words=True)
        if not period or period in by_period or (figures and figures <= shown):
            continue
        by_period[period] = scored
        shown |= figures
    shown_periods = [by_period[p] for p in sorted(by_period, reverse=True)][: MAX_SENTENCES + 1]
    if len({s.candidate.passage.doc_id for s in shown_periods}) < 2:
        return [best]
    return shown_periods


def _after_its_document(scored: Scored) -> bool:
    """The sentence's date is later than its document's: a deadline or a maturity, not the date of a figure."""
    published = (scored.candidate.passage.date or "")[:7]
    return bool(published) and as_of(scored) > published
