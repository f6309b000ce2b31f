"""A PDF page's characters as positioned text segments: words, lines, footnote markers dropped.

Coordinates are PDF points from the page's top-left corner. A segment is a run of words on one line
with no gap wider than about a character height: a column's line, or one cell of a table row.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# Superscript runs that are footnote markers ("Scope 2" + "2", "9,218" + "3", "Total*"), not exponents.
_MARKER = re.compile(r"^([\d,*\u2020\u2021\u00a7\u00b6()]+|\(?[ivx]{1,4}\)?|[a-z])$")
_EXPONENT = {"2": "\u00b2", "3": "\u00b3"}
_ROTATED = 0.05  # radians
_SPACES = {" ", "\t", "\u00a0", "\r", "\n", "\x02", "\ufffe", ""}


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Segment:
    """Text on one line between wide gaps, with its box."""

    text: str
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def page_chars(page: pdfium.PdfPage) -> list[Char]:
    """Every visible character with its loose box (font ascent to descent), so sizes compare across glyphs."""
    textpage = page.get_textpage()
    top = page.get_height()
    chars: list[Char] = []
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        text = chr(code) if 0 < code < 0x110000 else ""
        if text in _SPACES or not text.isprintable():
            chars.append(Char(" ", 0, 0, 0, 0))
            continue
        if _ROTATED < pdfium_c.FPDFText_GetCharAngle(textpage, index) < 2 * math.pi - _ROTATED:
            chars.append(Char(" ", 0, 0, 0, 0))  # rotated text (watermarks, axis titles) is not part of a line
            continue
        left, bottom, right, up = textpage.get_charbox(index, loose=True)
        chars.append(Char(text, left, right, top - up, top - bottom))
    return chars


def _words(chars: list[Char]) -> list[list[Char]]:
    """Runs of characters that touch on one line, in the content's order."""
    words: list[list[Char]] = []
    current: list[Char] = []
    for char in chars:
        if char.text == " " or char.height <= 0:
            if current:
                words.append(current)
            current = []
            continue
        if current:
            last = current[-1]
            size = max(last.height, char.height)
            same_line = abs(char.middle - last.middle) < 0.6 * size
            touching = -0.6 * size < char.x0 - last.x1 < 0.15 * size
            if not (same_line and touching):
                words.append(current)
                current = []
        current.append(char)
    if current:
        words.append(current)
    return words


def _lines(words: list[list[Char]]) -> list[list[list[Char]]]:
    """Words grouped into lines by their vertical position, each line sorted left to right."""
    boxes = sorted(words, key=lambda w: (_body_middle(w), w[0].x0))
    lines: list[list[list[Char]]] = []
    for word in boxes:
        middle = _body_middle(word)
        if lines:
            line = lines[-1]
            ref = median(_body_middle(w) for w in line)
            size = median(_body_height(w) for w in line)
            if abs(middle - ref) < 0.45 * size:
                line.append(word)
                continue
        lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w[0].x0)
    return lines


def _body_middle(word: list[Char]) -> float:
    return median(c.middle for c in word)


def _body_height(word: list[Char]) -> float:
    return max(c.height for c in word)


def _drop_markers(line: list[list[Char]]) -> list[tuple[list[Char], str]]:
    """A line's words and texts with raised, smaller footnote markers removed (exponents after "m" kept)."""
    chars = [c for word in line for c in word]
    size = median(c.height for c in chars)
    middle = median(c.middle for c in chars)
    texts: list[tuple[list[Char], str]] = []
    for word in line:
        out: list[str] = []
        run: list[str] = []
        for char in word:
            if char.height < 0.85 * size and char.middle < middle - 0.12 * size:
                run.append(char.text)
                continue
            out.append(_marker_or_exponent(run, out))
            run = []
            out.append(char.text)
        out.append(_marker_or_exponent(run, out))
        text = "".join(out)
        if text:
            texts.append((word, text))
    return texts


def _marker_or_exponent(run: list[str], before: list[str]) -> str:
    text = "".join(run)
    if not text:
        return ""
    if not _MARKER.match(text):
        return text
    if text in _EXPONENT and "".join(before).endswith("m"):
        return _EXPONENT[text]
    return ""


def segments(chars: list[Char]) -> list[Segment]:
    """A page's text as segments: lines split at gaps wider than about one character height."""
    out: list[Segment] = []
    for words_of_line in _lines(_words(chars)):
        kept = _drop_markers(words_of_line)
        line, texts = [w for w, _ in kept], [t for _, t in kept]
        size = median(_body_height(w) for w in line) if line else 0.0
        start = 0
        for n in range(1, len(line) + 1):
            if n == len(line) or line[n][0].x0 - line[n - 1][-1].x1 > 1.0 * size:
                words = line[start:n]
                out.append(
                    Segment(
                        " ".join(texts[start:n]),
                        min(c.x0 for w in words for c in w),
                        max(c.x1 for w in words for c in w),
                        min(c.y0 for w in words for c in w),
                        max(c.y1 for w in words for c in w),
                    )
                )
                start = n
    return out
