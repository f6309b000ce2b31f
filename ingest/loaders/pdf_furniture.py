"""Page furniture: running headers and footers, page numbers, and the printed page labels they carry.

A line in the top or bottom margin is furniture when the same text (digits aside) recurs in that
margin on many pages, or when it is a bare page number. The number a furniture line carries is the
page's printed label when it follows the page order (its offset from the PDF index recurs).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.loaders.pdf_layout import Segment

MARGIN = 0.1  # share of the page height at the top and at the bottom where furniture sits
_PAGE_NUMBER = re.compile(r"^(page\s+)?(\d{1,4})(\s*(/|of)\s*\d{1,4})?$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.,])\d{1,4}(?![\d.,])")


@dataclass
class PageText:
    """A page's segments and height (points)."""

    segments: list[Segment]
    height: float


def _in_margin(seg: Segment, height: float) -> bool:
    return seg.y1 <= MARGIN * height or seg.y0 >= (1 - MARGIN) * height


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def strip_furniture(pages: list[PageText]) -> list[str | None]:
    """Remove furniture from each page's segments in place; return each page's printed label (or None)."""
    recurring = Counter(
        key for page in pages for key in {_key(s.text) for s in page.segments if _in_margin(s, page.height)}
    )
    threshold = max(3, int(0.1 * len(pages)))
    numbers: list[int | None] = []
    for page in pages:
        kept: list[Segment] = []
        found: int | None = None
        for seg in page.segments:
            if not _in_margin(seg, page.height):
                kept.append(seg)
                continue
            bare = _PAGE_NUMBER.match(seg.text.strip())
            if bare is None and recurring[_key(seg.text)] < threshold:
                kept.append(seg)
                continue
            digits = [bare.group(2)] if bare else _NUMBER.findall(seg.text)
            if found is None and len(digits) == 1:
                found = int(digits[0])
        page.segments[:] = kept
        numbers.append(found)
    return _labels(numbers)


def _labels(numbers: list[int | None]) -> list[str | None]:
    """Printed numbers whose offset from the page index recurs on at least three pages; others dropped."""
    offsets = Counter(n - index for index, n in enumerate(numbers, start=1) if n is not None)
    common = {offset for offset, count in offsets.items() if count >= 3}
    return [str(n) if n is not None and n - index in common else None for index, n in enumerate(numbers, start=1)]
