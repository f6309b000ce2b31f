"""Document routing: the documents a question names, matched against their cards (no LLM, no word list)."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.question import Question
from rag.index.cards import DocumentCards
from rag.index.lexical import LexicalIndex

NAMED_SHARE = 0.5  # a document scoring at least this share of the best is named too ("A and B")
MAX_NAMED = 3  # more close matches than this name no document in particular, unless few hold its rarest name
CLEAR_RATIO = 2.0  # the named documents outscore every other by this factor: search them alone
WEAK_RATIO = 1.2  # below CLEAR_RATIO but above this: rank their passages higher, search everything
LONG_DOCUMENT = 100  # chunks (about 20 pages): a report, not an article


@dataclass(frozen=True)
class Route:
    """The documents the question names, best first; `clear` when retrieval should search them alone.

    `names` are the question's names found on their cards: inside those documents they tell nothing apart.
    A year alone never routes: "in 2024" mostly dates the fact asked for; beside a name it tells that
    name's documents of several years apart, and a document matching the year but none of the names is
    never named beside them.
    """

    doc_ids: tuple[str, ...]
    clear: bool
    names: frozenset[str] = frozenset()
    long: bool = False  # every named document is long


def route(cards: DocumentCards, question: Question, lexical: LexicalIndex | None = None) -> Route | None:
    """Match the question's names and years against the cards; None when it names no document in particular.

    With the BM25 index, a clear match is checked against the text: when the question names something the
    named documents never state and fewer documents state than any name that matched, the cards missed the
    name that matters (a place mentioned once, on no card): no document is named.
    """
    by_name = cards.scores(question.names)
    if len(cards.doc_ids) < 2 or not by_name.any():
        return None
    scores = cards.scores([*question.names, *question.years])
    order = scores.argsort()[::-1]
    best = float(scores[order[0]])
    named = [int(i) for i in order if scores[i] >= NAMED_SHARE * best and by_name[i] > 0]
    if not named:
        return None
    if len(named) > MAX_NAMED:
        named = _holding_rarest_name(cards, question, named)
        if not named:
            return None
    runner_up = max((float(scores[i]) for i in order if i not in named), default=0.0)
    lowest = float(scores[named[-1]])
    if lowest < WEAK_RATIO * runner_up:
        return None
    on_cards = {t for i in named for t in cards.cards[i]}
    names = frozenset(t for t in question.names if t in on_cards)
    clear = lowest >= CLEAR_RATIO * runner_up
    doc_ids = tuple(cards.doc_ids[i] for i in named)
    if clear and lexical is not None and _outnamed(question, names, doc_ids, lexical):
        return None
    long = all(cards.chunks[i] >= LONG_DOCUMENT for i in named)
    return Route(doc_ids, clear, names, long)


def _holding_rarest_name(cards: DocumentCards, question: Question, close: list[int]) -> list[int]:
    """Too many documents score close to the best (common words of the question are on many cards): those of
    them whose card holds the question's rarest name, if few and the best is one of them, else none."""
    on_cards = {n: sum(n in card for card in cards.cards) for n in question.names}
    held = [n for n in question.names if on_cards[n]]
    if not held:
        return []
    rarest = min(held, key=lambda n: on_cards[n])
    if on_cards[rarest] > MAX_NAMED:
        return []
    kept = [i for i in close if rarest in cards.cards[i]]
    return kept if kept and kept[0] == close[0] else []


def _outnamed(question: Question, matched: frozenset[str], chosen: tuple[str, ...], lexical: LexicalIndex) -> bool:
    """A name of the question that no chosen document states is rarer in the text than every name that chose them."""
    stating = {n: lexical.documents_stating(n) for n in question.names}
    rarest = min((len(stating[n]) for n in matched if stating[n]), default=0)
    unmatched = (docs for n, docs in stating.items() if n not in matched)
    return any(docs and not docs & set(chosen) and len(docs) < rarest for docs in unmatched)
