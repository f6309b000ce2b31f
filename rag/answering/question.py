"""What a question asks for, read from its own form: terms, names, years, the kind of value, its chat context.

No word list here is about any one corpus: which words are common comes from the index (document
frequency, in the answerer), the kind of value asked for from the question's wording.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from rag.index.tokenize import STOPWORDS, stem, terms, words
from rag.numbers import WORD_NUMBER

YEAR = re.compile(r"\b(19|20)\d{2}\b")
MONTHS = ("january february march april may june july august september october november december").split()

# A verb that, right after "when", makes it the question ("When did ..."), not a clause ("When HyNet secured").
_AUXILIARY = r"(?:did|does|do|is|was|were|are|will|would|has|have|had|can|could|should|must|may|might)\b"
_NUMBER_CUES = re.compile(
    r"\b(how (many|much|large|big|long|far|old)|what (is|was|are|were) the (number|total|size|share|percentage"
    r"|amount|value|cost|price|rate|level)|what (percentage|share|proportion|amount|number|value|fraction)"
    r"|how (high|low|fast)|what (size|capacity)"
    # "what gender pay gap", "what purchase price": a measure at the head of the noun phrase "what" opens ("what
    # three levels" asks which ones: the count is given)
    r"|what\s+(?:(?!(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could)\b|(?:\d[\d,.]*|"
    + WORD_NUMBER.pattern
    + r")\s)[\w'-]+\s+){0,2}?"
    r"(?:number|total|size|share|percentage|amount|value|cost|price|rate|level|capacity|fee|ratio|margin|stake"
    r"|sum|budget|volume|gap|score|count)s?)\b",
    re.I,
)
# "when" asks for a date where it opens the question or comes before its verb ("and when is it due"), not
# where it joins a clause ("the force called when two forces act").
_DATE_CUES = re.compile(
    rf"^when\b|\bwhen\s+(?={_AUXILIARY})|\b(what (year|month|date|day|time)|which (year|month|date|day|century))\b",
    re.I,
)
_PERSON_CUES = re.compile(r"\b(who|whom|whose)\b", re.I)
_MONEY_WORDS = re.compile(
    r"\b(?:costs?|costed|prices?|priced|fees?|pa(?:y|ys|id)|spen(?:d|ds|t)|invest(?:s|ed|ment)?|fund(?:s|ed|ing)?"
    r"|grants?|worth|budget|charge[sd]?|raised?|earn(?:s|ed)?|revenues?|income|profits?|money|cash|capital|rent"
    r"|damages|compensation)\b",
    re.I,
)
# A sum of money asked for: "how much" before its verb ("how much does it cost", "how much did they pay") or before
# a sum's noun ("how much federal funding"), or "what is the (purchase) price"; not "by how much" (a change) nor
# "how much of" (a share), and only where the question speaks of money.
_MONEY_ASKED = re.compile(
    rf"(?<!\bby )\bhow much\s+(?:{_AUXILIARY}|(?:in\s+)?(?:[\w'-]+\s+){{0,2}}?"
    r"(?:money|funding|cash|capital|investment|grants?|revenues?|income|profits?|rent|fees|damages|compensation)\b)"
    r"|\bwhat (?:is|was|are|were|will be) the\s+(?:[\w'-]+\s+)?(?:cost|price|fee|budget)s?\b",
    re.I,
)
_REASON_CUES = re.compile(r"^(why|for what reason|how come)\b|\bwhat (was|is|were|are) the (reason|cause)s?\b", re.I)
_LIST_CUES = re.compile(r"\b(which|list|name|what are the)\b.*\b\w+s\b", re.I)
_NAME_CUES = re.compile(r"\bwhich\s+\w*[^s\W]\b(?!\s+of\b)", re.I)  # "which cluster": one, named
_REQUEST = re.compile(r"^\w+\s+you\b", re.I)  # "Can you tell me how many...": a request, not a yes/no question
_YES_NO = re.compile(r"^(is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)
_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|so|then)\b|\b(it|its|they|them|their|those|these|that one|this one"
    r"|which one|the same|there|then|that point|that time|the time)\b",
    re.I,
)
_COUNTED = re.compile(r"\bhow (many|much)\s+(?:of\s+the\s+)?(?:[a-z]+'s\s+)?((?:[a-z0-9-]+\s*){1,3})", re.I)
_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_CONDITION = re.compile(r"\s*(if|otherwise|in that case|give me|return|answer|respond|reply)\b", re.I)
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w&-]*")
# A leading clause that sets the scene ("When HyNet secured its funding, how many jobs..."): a subordinating
# word not followed by an inverted verb (that would make it the question: "When did..."), up to a comma.
_LEAD_CLAUSE = re.compile(
    rf"^(?:when|after|before|as|once|since|while|following|according to)\s+(?!{_AUXILIARY})[^,?]*,\s*",
    re.I,
)


_VALUE_CUES = (("date", _DATE_CUES), ("person", _PERSON_CUES), ("number", _NUMBER_CUES))
# Where a compound question's second question begins: a new sentence, or "and" before a question word.
_PART_BREAK = re.compile(
    r"\?\s+|,?\s+and\s+(?=(?:which|when|who|whom|whose|what|how|where|whether|is|are|was|were|does|do|did|has"
    r"|have|had)\b)",
    re.I,
)
MIN_PART_WORDS = 3  # "When and where was it launched?" asks one thing


@dataclass(frozen=True)
class Question:
    text: str
    search_text: str  # with the previous exchange when the question is a follow-up
    resolved: str  # with the previous question when it is a follow-up: what the answer is compared with
    terms: tuple[str, ...]  # stemmed content terms, the question's own first
    years: tuple[str, ...]
    wants: str  # "number", "date", "person", "list", "name", "yes-no", "reason" or "any"
    names: tuple[str, ...] = ()  # stemmed capitalised words: what the question is about
    counted: tuple[str, ...] = ()  # the noun phrase after "how many"/"how much", stemmed: "new", "cluster"

    def inside(self, named: Collection[str]) -> Question:
        """The question as read inside the documents it names: there their names match every passage and
        tell nothing apart, so they leave its terms, names and compared text (kept if nothing else is left)."""
        rest = tuple(t for t in self.terms if t not in named)
        if not rest or not named:
            return self
        resolved = without(self.resolved, named)
        return replace(self, resolved=resolved, terms=rest, names=tuple(n for n in self.names if n not in named))


def without(text: str, named: Collection[str]) -> str:
    """The text's words, those whose stem is named left out."""
    return " ".join(w for w in words(text) if stem(w) not in named)


def wanted_kind(text: str) -> str:
    """The kind of value the question's wording asks for: its first cue, past a leading scene-setting clause."""
    text = _LEAD_CLAUSE.sub("", text.strip(), count=1)
    if _REASON_CUES.search(text):
        return "reason"
    if _YES_NO.search(text) and not _PART_BREAK.search(text) and not _REQUEST.search(text):
        return "yes-no"  # "Is the trial blinded, or do they know who gets the drug?": a cue inside asks no value
    cues = [(m.start(), kind) for kind, cue in _VALUE_CUES for m in [cue.search(text)] if m]
    if cues:
        return min(cues)[1]
    if _YES_NO.search(text):
        return "yes-no"
    if _LIST_CUES.search(text):
        return "list"
    if _NAME_CUES.search(text):
        return "name"
    return "any"


def parts(question: Question) -> list[Question]:
    """A compound question's questions, each read alone ("How much did the cluster receive, and which firm
    leads it?"), with its own kind and terms (those the whole question keeps) and the whole question's
    names. A follow-up, or a question that asks one thing, is one part."""
    pieces = [p.strip(" ,?") for p in _PART_BREAK.split(question.text)]
    if question.search_text != question.text or len(pieces) < 2:
        return [question]
    if any(len(words(p)) < MIN_PART_WORDS for p in pieces):
        return [question]
    asked = set(question.terms)
    return [
        replace(
            question,
            text=piece,
            resolved=piece,
            terms=tuple(dict.fromkeys([t for t in terms(piece) if t in asked] + list(question.names))),
            years=tuple(dict.fromkeys(years_in(piece))) or question.years,
            wants=wanted_kind(piece),
            counted=_counted(piece),
        )
        for piece in pieces
    ]


def _counted(text: str) -> tuple[str, ...]:
    """The words of what "how many" or "how much" counts, stemmed: up to a function word, and for "how many" up
    to its plural noun ("how many new clusters joined" counts "new", "cluster")."""
    match = _COUNTED.search(text)
    if not match:
        return ()
    counted = []
    for word in match.group(2).lower().split():
        if word in STOPWORDS:
            break
        counted.append(stem(word))
        if match.group(1).lower() == "many" and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            break
    return tuple(counted)


def years_in(text: str) -> list[str]:
    """The years (1900-2099) a text names, in order."""
    return [m.group() for m in YEAR.finditer(text)]


def asks_money(text: str) -> bool:
    """Whether the question asks for a sum of money, which a sentence states with a currency (or as free)."""
    return bool(_MONEY_ASKED.search(text)) and bool(_MONEY_WORDS.search(text))


def is_follow_up(text: str) -> bool:
    return bool(_FOLLOW_UP.search(text.strip())) or len(terms(text)) <= 2


def names(text: str) -> tuple[str, ...]:
    """Stemmed capitalised words after the first, function words and months left out."""
    found = (stem(w.lower()) for m in _NAME.finditer(text) for w in words(m.group()))
    skip = {stem(w) for w in STOPWORDS} | {stem(m) for m in MONTHS}
    return tuple(dict.fromkeys(n for n in found if n not in skip and not YEAR.fullmatch(n)))


def main_clause(text: str) -> str:
    """The question without trailing conditions and instructions ("If there is no mention, return False.")."""
    kept = [m.group() for m in _SENTENCE.finditer(text) if not _CONDITION.match(m.group())]
    return " ".join(kept).strip() or text


def _last(history: Sequence[dict[str, str]], role: str) -> str:
    turns = [turn["content"] for turn in history if turn.get("role") == role and turn.get("content")]
    return turns[-1] if turns else ""


def analyse(text: str, history: Sequence[dict[str, str]] | None = None) -> Question:
    """Resolve a follow-up against the last exchange, then read terms, names, years and the wanted kind."""
    text = main_clause(text.strip())
    asked = replied = ""
    if history and is_follow_up(text):
        asked, replied = _last(history, "user"), _last(history, "assistant")[:400]
    search_text = f"{asked} {replied} {text}".strip()
    own = terms(text)
    inherited = [t for t in terms(asked) if t not in own]
    years = years_in(text) or years_in(asked) or years_in(replied)[:1]
    wants = wanted_kind(text)
    if wants == "any" and asked:
        wants = wanted_kind(asked)
    return Question(
        text,
        search_text,
        f"{asked} {text}".strip(),
        tuple(dict.fromkeys(own + inherited)),
        tuple(dict.fromkeys(years)),
        wants,
        names(text) or names(asked),
        _counted(text),
    )
