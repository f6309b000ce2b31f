"""What a question asks for: its terms, the kind of value it wants, and its context in a chat."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.index.tokenize import STOPWORDS, stem, words

_PHRASES = re.compile(r"\b(united states|united kingdom)\b", re.I)
_ALIASES = {
    "u.s": "us", "usa": "us", "u.s.a": "us", "united states": "us", "american": "us", "u.k": "uk",
    "united kingdom": "uk", "british": "uk", "french": "france", "chinese": "china", "japanese": "japan",
    "indonesian": "indonesia", "spanish": "spain", "dutch": "netherlands", "belgian": "belgium",
    "australian": "australia", "thai": "thailand", "indian": "india", "brazilian": "brazil",
    "colombian": "colombia", "swedish": "sweden", "german": "germany",
}  # fmt: skip
YEAR = re.compile(r"\b(19|20)\d{2}\b")


def stems(text: str | Iterable[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in (text.split() if isinstance(text, str) else text))


# Words every document of this corpus uses: they say little about which passage answers.
GENERIC = stems("initiative forum world economic wef transitioning industrial cluster clusters net zero towards tic")
# Verbs and adverbs a question uses to ask about a subject; they rarely name the subject itself.
LIGHT = stems(
    "support have make use work include involve get take part become mean describe need give play run"
    " represent consist contain hold stand count reach keep see exactly really actually currently"
)
# Words this corpus uses for the same thing; a sentence with either covers the question's term.
_SYNONYMS = {
    "member": "cluster signatory membership", "membership": "member cluster", "signatory": "member cluster",
    "job": "employment", "emission": "co2 co2e carbon", "launch": "found start cop26",
    "start": "launch found begin began", "found": "launch start", "rise": "rose grow grew increase up",
    "grow": "grew rise rose increase expand expansion", "increase": "rise rose grow grew", "wef": "forum",
    "country": "nation",
}  # fmt: skip
SYNONYMS: dict[str, frozenset[str]] = {stem(k): stems(v) for k, v in _SYNONYMS.items()}

_NUMBER_CUES = re.compile(
    r"\b(how (many|much|large|big)|what (is|was|are|were) the (number|total|size|share|percentage|amount|value)"
    r"|what (percentage|share|proportion|amount|number|value)|count|figure|potential|gdp|jobs?)\b",
    re.I,
)
_DATE_CUES = re.compile(r"\b(when|what (year|month|date|day)|which (year|month|date))\b", re.I)
_PERSON_CUES = re.compile(r"\b(who|whom|whose)\b", re.I)
_LIST_CUES = re.compile(r"\b(which|name|list|what are the)\b.*\b\w+s\b", re.I)
_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|so|then)\b|\b(it|its|they|them|their|those|these|that one|this one"
    r"|which one|the same|there|then|that point|that time|the time)\b",
    re.I,
)


def covers(term: str, words: set[str]) -> bool:
    return term in words or bool(SYNONYMS.get(term, frozenset()) & words)


def tokens(text: str) -> list[str]:
    """Word tokens with aliases unified ("U.S." and "American" are "us")."""
    text = _PHRASES.sub(lambda m: _ALIASES[m.group().lower()], text)
    return [_ALIASES.get(w, w) for w in words(text)]


def terms(text: str) -> list[str]:
    """Stemmed content terms of a question or sentence, for checking what a sentence covers."""
    return list(_terms(text))


@lru_cache(maxsize=1 << 13)
def _terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w.strip("$%'")) for w in tokens(text) if w not in STOPWORDS and w.strip("$%'"))


@dataclass(frozen=True)
class Question:
    text: str
    search_text: str
    terms: tuple[str, ...]
    years: tuple[str, ...]
    wants: str  # "number", "date", "person", "list" or "any"
    entities: tuple[str, ...] = ()  # names the question mentions: the answer must be about them
    counted: str | None = None  # the noun after "how many"/"how much"
    attribute: str | None = None  # what is asked of the subject: "budget" in "what is the budget of X"


def wanted_kind(text: str) -> str:
    if _DATE_CUES.search(text):
        return "date"
    if _PERSON_CUES.search(text):
        return "person"
    if _NUMBER_CUES.search(text):
        return "number"
    if _LIST_CUES.search(text):
        return "list"
    return "any"


def is_follow_up(text: str) -> bool:
    return bool(_FOLLOW_UP.search(text.strip())) or len(terms(text)) <= 2


_COUNTED = re.compile(r"\bhow (?:many|much)\s+(?:of\s+the\s+)?(?:[a-z]+'s\s+)?([a-z0-9-]+)", re.I)
_ATTRIBUTE = (
    re.compile(r"^(?:what|who|which)\s+(?:is|are|was|were)\s+(?:the\s+)?([\w' -]+?)\s+(?:of|for|behind)\b", re.I),
    re.compile(r"^(?:what|who)\s+(?:is|are|was|were)\s+(?:the\s+)?[\w-]+'s\s+([\w -]+?)\s*\?*$", re.I),
    re.compile(r"\bhow much (?:does|do|did|would|will) (?:it|they|a \w+|the \w+) (\w+)", re.I),
)
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w-]*")
_MONTHS = frozenset("january february march april may june july august september october november december".split())


def entities(text: str) -> tuple[str, ...]:
    """Stemmed capitalised words after the first: the names a question asks about."""
    names = (stem(_ALIASES.get(w.lower(), w.lower())) for m in _NAME.finditer(text) for w in [m.group()])
    skip = GENERIC | _MONTHS | {stem(w) for w in STOPWORDS}
    return tuple(dict.fromkeys(n for n in names if n not in skip))


def attribute(text: str) -> str | None:
    """The noun naming what is asked of the subject, when the question has that shape."""
    for pattern in _ATTRIBUTE:
        match = pattern.search(text.strip())
        if match:
            word = stem(match.group(1).split()[-1].lower())
            return None if word in GENERIC | LIGHT or word in STOPWORDS else word
    return None


def _last(history: Sequence[dict[str, str]], role: str) -> str:
    turns = [turn["content"] for turn in history if turn.get("role") == role and turn.get("content")]
    return turns[-1] if turns else ""


def analyse(text: str, history: Sequence[dict[str, str]] | None = None) -> Question:
    """Resolve a follow-up against the last exchange, then extract terms, names and the wanted kind."""
    text = text.strip()
    asked = replied = ""
    if history and is_follow_up(text):
        asked, replied = _last(history, "user"), _last(history, "assistant")[:400]
    search_text = f"{asked} {replied} {text}".strip()
    own = terms(text)
    inherited = [t for t in terms(asked) if t not in own]
    years = [m.group() for m in YEAR.finditer(text)] or [m.group() for m in YEAR.finditer(asked)]
    years = years or [m.group() for m in YEAR.finditer(replied)][:1]
    wants = wanted_kind(text)
    if wants == "any" and asked:
        wants = wanted_kind(asked)
    match = _COUNTED.search(text)
    counted = match.group(1).lower() if match and match.group(1).lower() not in STOPWORDS else None
    return Question(
        text,
        search_text,
        tuple(dict.fromkeys(own + inherited)),
        tuple(dict.fromkeys(years)),
        wants,
        entities(text),
        stem(counted) if counted else None,
        attribute(text),
    )
