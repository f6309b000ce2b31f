"""Numbers in text, normalised so "626 million" equals "626,000,000" and "$2.5 trillion" is one value."""

from __future__ import annotations

import re

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion|mn|bn|tn|[kmb])\b)?",
    re.I,
)
# "one another" is a pronoun, not a count.
WORD_NUMBER = re.compile(
    r"\b(?!one\s+another\b)(" + "|".join(_WORDS) + r")(?:-(one|two|three|four|five|six|seven|eight|nine))?\b", re.I
)


def numbers(text: str, words: bool = False) -> list[float]:
    """Every number stated in digits (with its scale word applied); with words=True also spelled-out ones."""
    values = []
    for match in NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        scale = (match.group(2) or "").lower()
        values.append(value * _SCALES.get(scale, 1.0))
    if words:
        for match in WORD_NUMBER.finditer(text):
            value = _WORDS[match.group(1).lower()] + (_WORDS[match.group(2).lower()] if match.group(2) else 0)
            values.append(float(value))
    return values


def has_number(text: str) -> bool:
    return bool(NUMBER.search(text) or WORD_NUMBER.search(text))


def same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def unsupported_numbers(claim: str, evidence: str) -> list[float]:
    """Numbers in the claim that the evidence does not state (in digits or words)."""
    stated = numbers(evidence, words=True)
    return [n for n in numbers(claim) if not any(same_number(n, s) for s in stated)]
