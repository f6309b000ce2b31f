"""The BM25 tokenizer: fixed and versioned, so a saved index is never read with other tokens.

Independent of the question analysis on purpose: changing how questions are read must not silently
change what a saved index means. Change anything here and bump VERSION; indexes saved with another
version are rebuilt from the chunks on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

VERSION = "words-lightstem-2"

_WORD = re.compile(r"[a-z0-9][a-z0-9$%.']*[a-z0-9%]|[a-z0-9]", re.I)
_POSSESSIVE = re.compile(r"'s?$")
_SUFFIXES = ("ing", "ed", "es", "s")

# English function words and the words questions are phrased with; none of them says what a passage is about.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our ours out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours also per via tell say says said give show list name named many much
    according document documents please share percentage proportion number amount total figure value current
    currently now latest today""".split()
)


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light, predictable stemmer: plurals and common verb endings only."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if suffix == "es" and not word[:-2].endswith(("s", "x", "z", "ch", "sh")):
                continue  # "names" is "name" + "s", "taxes" is "tax" + "es"
            word = word[: -len(suffix)]
            break
    # "engage" and "engaging" meet at "engag"
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def words(text: str) -> list[str]:
    """Lower-case word tokens: thousands separators, possessives and trailing dots dropped."""
    found = (_POSSESSIVE.sub("", w.lower().rstrip(".").replace(",", "")).strip("'") for w in _WORD.findall(text))
    return [w for w in found if w]


def terms(text: str) -> list[str]:
    """Stemmed content terms: what BM25 indexes and searches."""
    return list(_terms(text))


@lru_cache(maxsize=1 << 13)
def _terms(text: str) -> tuple[str, ...]:
    """Cached: a question's passages are read by grouping, by the answerer and by the verifier alike."""
    return tuple(stem(w.strip("$%'")) for w in words(text) if w not in STOPWORDS and w.strip("$%'"))
