"""Page furniture: running headers and footers, page numbers, and the printed page labels they carry.

A line in the top or bottom margin is furniture when the same text (digits aside) recurs in that
margin on many pages, or when it is a bare page number. The number a furniture line carries is the
page's printed label when it follows the page order (its offset from the PDF index recurs).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.loaders.pdf_layout import Segment

MARGIN = 0.1  # share of the page height at the top and at the bottom where furniture sits
_PAGE_NUMBER = re.compile(r"^(page\s+)?(\d{1,4})(\s*(/|of)\s*\d{1,4})?$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.,])\d{1,4}(?![\d.,])")


@dataclass
class PageText:
    """A page's segments, height (points), and the furniture lines taken out of it."""

    segments: list[Segment]
    height: float
    furniture: list[str] = field(default_factory=list)


def _in_margin(seg: Segment, height: float) -> bool:
    return seg.y1 <= MARGIN * height or seg.y0 >= (1 - MARGIN) * height


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def strip_furniture(pages: list[PageText]) -> list[str | None]:
    """Move furniture out of each page's segments (into `furniture`); return each page's printed label."""
    recurring = Counter(
        key for page in pages for key in {_key(s.text) for s in page.segments if _in_margin(s, page.height)}
    )
    threshold = max(3, int(0.1 * len(pages)))
    candidates: list[list[int]] = []
    for page in pages:
        kept: list[Segment] = []
        found: list[int] = []
        for seg in page.segments:
            bare = _PAGE_NUMBER.match(seg.text.strip())
            if not _in_margin(seg, page.height) or (bare is None and recurring[_key(seg.text)] < threshold):
                kept.append(seg)
                continue
            page.furniture.append(seg.text)
            found += [int(bare.group(2))] if bare else [int(n) for n in _NUMBER.findall(seg.text)]
        page.segments[:] = kept
        candidates.append(found)
    return _labels(candidates)


def _labels(candidates: list[list[int]]) -> list[str | None]:
    """Per page, the furniture number whose offset from the page index recurs on three pages or more."""
    offsets = Counter(offset for i, found in enumerate(candidates, 1) for offset in {n - i for n in found})
    common = {offset for offset, count in offsets.items() if count >= 3}
    return [next((str(n) for n in found if n - i in common), None) for i, found in enumerate(candidates, 1)]
