"""Sentence spans, shared by the chunker and the answerer so quotes never straddle chunks."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before whitespace.
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "vs",
        "etc",
        "approx",
        "inc",
        "ltd",
        "co",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "fig",
        "est",
    ]
)


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line in text[start:end], whitespace trimmed.

    Lines are boundaries too: headings, list items and table rows stand alone.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start, line_end = start + line.start(), start + line.end()
        pos = line_start
        for match in _END.finditer(text, line_start, line_end):
            if match.group() == "." and _is_abbreviation(text, match.start()):
                continue
            _append(text, spans, pos, match.end())
            pos = match.end()
        _append(text, spans, pos, line_end)
    return spans


def _append(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
