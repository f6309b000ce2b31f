"""A PDF page's characters as positioned text segments: words, lines, footnote markers dropped.

Coordinates are PDF points from the page's top-left corner. A segment is a run of words on one line
with no gap wider than about a character height: a column's line, or one cell of a table row.
"""

from __future__ import annotations

import math
import re
from bisect import insort
from dataclasses import dataclass
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# Superscript runs that are footnote markers ("Scope 2" + "2", "9,218" + "3", "Total*"), not exponents.
_MARKER = re.compile(r"^([\d,*\u2020\u2021\u00a7\u00b6()]+|\(?[ivx]{1,4}\)?|[a-z])$")
_EXPONENT = {"2": "\u00b2", "3": "\u00b3"}
_ROTATED = 0.05  # radians
_SPACES = {" ", "\t", "\u00a0", "\r", "\n", "\x02", "\ufffe", ""}


class Char:
    """One character's text and box; height and middle computed once (millions are made per report)."""

    __slots__ = ("text", "x0", "x1", "y0", "y1", "height", "middle")

    def __init__(self, text: str, x0: float, x1: float, y0: float, y1: float) -> None:
        self.text, self.x0, self.x1, self.y0, self.y1 = text, x0, x1, y0, y1
        self.height = y1 - y0
        self.middle = (y0 + y1) / 2


_BLANK = Char(" ", 0, 0, 0, 0)


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
    raw, rect = textpage.raw, pdfium_c.FS_RECTF()
    unicode, angle = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetCharAngle
    box = pdfium_c.FPDFText_GetLooseCharBox
    chars: list[Char] = []
    for index in range(textpage.count_chars()):
        code = unicode(raw, index)
        text = chr(code) if 0 < code < 0x110000 else ""
        if text in _SPACES or not text.isprintable():
            chars.append(_BLANK)
            continue
        if _ROTATED < angle(raw, index) < 2 * math.pi - _ROTATED:
            chars.append(_BLANK)  # rotated text (watermarks, axis titles) is not part of a line
            continue
        if not box(raw, index, rect):
            raise pdfium.PdfiumError("Failed to get charbox.")
        chars.append(Char(text, rect.left, rect.right, top - rect.top, top - rect.bottom))
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
    boxes = sorted(((_body_middle(w), w[0].x0, _body_height(w), w) for w in words), key=lambda b: b[:2])
    lines: list[list[list[Char]]] = []
    middles: list[float] = []  # the current line's word middles and heights, kept sorted for their medians
    heights: list[float] = []
    for middle, _, height, word in boxes:
        if lines and abs(middle - _sorted_median(middles)) < 0.45 * _sorted_median(heights):
            lines[-1].append(word)
            insort(middles, middle)
            insort(heights, height)
            continue
        lines.append([word])
        middles, heights = [middle], [height]
    for line in lines:
        line.sort(key=lambda w: w[0].x0)
    return lines


def _sorted_median(values: list[float]) -> float:
    half = len(values) // 2
    return values[half] if len(values) % 2 else (values[half - 1] + values[half]) / 2


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
