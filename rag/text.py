"""Sentence spans, shared by the chunker and the answerer so quotes never straddle chunks, and the units
the answerer quotes (sentences joined where the layout cut what belongs together)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before whitespace.
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")
_ABBREVIATIONS = frozenset(
    [
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
        "no",
        "nos",
        "vol",
        "corp",
        "bros",
        "pty",
        "pte",
        "jr",
        "sr",
        "dept",
        "govt",
        "messrs",
    ]
)
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")  # "u.s.c", "p.o", "l.p", "j.p": letters with dots between


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or bool(_INITIALS.fullmatch(word))


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


# A list item's line: a bullet or an item number ("-", "•", "1.", "(a)", "iv)"), then its text or a line break.
_ITEM = re.compile(r"[ \t]*(?:[-*\u2022\u25cf\u25aa\u25e6\u00a7\u2013]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])(?=\s|$)")
LIST_ITEMS = 12
LIST_CHARS = 1000
LIST_ITEM_WORDS = 10
HEADING_WORDS = 8


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """The text's sentence spans joined into the units an answer can quote on their own:
    - a piece starting in lower case continues the sentence before it (a line broken by the layout);
    - a lead-in ending in a colon at the end of its line ("... four key solutions:") goes with the list
      of short items after it (names, not statements; at most LIST_ITEMS items or LIST_CHARS characters;
      a list cut by the passage's end stays cut);
    - a heading (a short line of capitalised words with no sentence's end: "Legal Counsel") goes with
      the line after it, which it names, unless that is a heading too: a heading alone answers nothing."""
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if units and end <= units[-1][1]:
            continue  # an item of a list already joined
        piece = text[start:end]
        if units and (piece[:1].islower() or (_heading(text, *units[-1]) and not _heading(text, start, end))):
            start = units.pop()[0]
        if piece.endswith(":") and text[end : end + 1] in ("\n", ""):
            end = _list_end(text, start, end)
        units.append((start, end))
    return units


def _heading(text: str, start: int, end: int) -> bool:
    """A whole line of at most HEADING_WORDS words, each of whose longer words is capitalised, with no
    sentence's end, no comma or colon and no figure past its first word ("Critical Audit Matters", "2022
    Highlights", "LEGAL COUNSEL"; not "Nichols, Cauley & Associates, LLC", a name with its address, nor
    "Country: United States", a field with its value, nor "Published 20 January 2026", a date)."""
    if text[start - 1 : start] not in ("\n", "") or text[end : end + 1] not in ("\n", ""):
        return False
    line = text[start:end]
    if line.startswith("#"):
        return False  # a Markdown heading is its passage's section already, and no quote
    tokens = line.split()
    return (
        len(tokens) <= HEADING_WORDS
        and line[-1] not in ".!?;"
        and not any(c in line for c in ",:")
        and not any(c.isdigit() for t in tokens[1:] for c in t)
        and all(t[:1].isupper() or len(t) <= 3 for t in tokens if t[:1].isalpha())
        and any(t[:1].isalpha() for t in tokens)
    )


def _list_end(text: str, start: int, end: int) -> int:
    lines = [m for m in re.finditer(r"[^\n]*", text[end:]) if m.group().strip()]
    items, i, last = 0, 0, end
    while i < len(lines) and items < LIST_ITEMS:
        line = lines[i].group()
        marker = _ITEM.match(line)
        if not marker:
            break
        if not line[marker.end() :].strip():  # the marker alone: its text is the next line
            i += 1
            if i == len(lines):
                break
        if len(lines[i].group().split()) > LIST_ITEM_WORDS:
            return end  # items that are statements of their own are quoted one by one
        item_end = end + lines[i].end()
        if item_end - start > LIST_CHARS:
            break
        last, items, i = item_end, items + 1, i + 1
    return last
