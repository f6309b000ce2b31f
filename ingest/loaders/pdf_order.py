"""Reading order of a page's segments: columns read top to bottom, one after the other.

A gutter is a vertical strip that no segment crosses, with text on both sides. Segments that do
cross it (a title over both columns, a wide table) split the page into bands; each band reads its
left side, then its right side, each side again split by its own gutters.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.loaders.pdf_layout import Segment
from ingest.loaders.pdf_tables import Table, group_lines

MIN_GUTTER = 6.0  # points; narrower white strips are word gaps or cell padding


@dataclass
class Item:
    """A segment of prose or a whole table, placed on the page."""

    x0: float
    x1: float
    y0: float
    y1: float
    segment: Segment | None = None
    table: Table | None = None


def items(segs: list[Segment], tables: list[Table]) -> list[Item]:
    taken = {id(s) for t in tables for s in t.members}
    out = [Item(s.x0, s.x1, s.y0, s.y1, segment=s) for s in segs if id(s) not in taken]
    return out + [Item(t.x0, t.x1, t.y0, t.y1, table=t) for t in tables]


def reading_order(found: list[Item]) -> list[Item]:
    if len(found) < 4:
        return _top_down(found)
    gutter = _gutter(found)
    if gutter is None:
        return _top_down(found)
    crossers = sorted((i for i in found if i.x0 < gutter < i.x1), key=lambda i: i.y0)
    ordered: list[Item] = []
    top = float("-inf")
    for bound in [*crossers, None]:
        bottom = bound.y0 if bound is not None else float("inf")
        band = [i for i in found if top <= (i.y0 + i.y1) / 2 < bottom and not i.x0 < gutter < i.x1]
        ordered += reading_order([i for i in band if i.x1 <= gutter])
        ordered += reading_order([i for i in band if i.x0 >= gutter])
        if bound is not None:
            ordered.append(bound)
            top = (bound.y0 + bound.y1) / 2
    return ordered


def _gutter(found: list[Item]) -> float | None:
    """The middle of the widest strip few items cross, with at least two items on each side."""
    left, right = min(i.x0 for i in found), max(i.x1 for i in found)
    edges = sorted({round(v) for i in found for v in (i.x0, i.x1)})
    best: tuple[float, float] | None = None
    allowed = max(1, len(found) // 10)
    for a, b in zip(edges, edges[1:], strict=False):
        if b - a < 1 or a <= left + 0.1 * (right - left) or b >= right - 0.1 * (right - left):
            continue
        middle = (a + b) / 2
        if sum(i.x0 < middle < i.x1 for i in found) > allowed:
            continue
        start, end = _clear_span(found, middle)
        if end - start < MIN_GUTTER:
            continue
        sides = (sum(i.x1 <= middle for i in found), sum(i.x0 >= middle for i in found))
        if min(sides) >= 2 and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
    return None if best is None else (best[0] + best[1]) / 2


def _clear_span(found: list[Item], middle: float) -> tuple[float, float]:
    """The free strip around x = middle between the nearest non-crossing items on either side."""
    rest = [i for i in found if not i.x0 < middle < i.x1]
    start = max((i.x1 for i in rest if i.x1 <= middle), default=middle)
    end = min((i.x0 for i in rest if i.x0 >= middle), default=middle)
    return start, end


def _top_down(found: list[Item]) -> list[Item]:
    """Line by line, left to right within a line."""
    prose = [i.segment for i in found if i.segment is not None]
    by_id = {id(i.segment): i for i in found if i.segment is not None}
    lines = [[by_id[id(s)] for s in line] for line in group_lines(prose)]
    tables = sorted((i for i in found if i.table is not None), key=lambda i: i.y0)
    ordered: list[Item] = []
    for line in lines:
        while tables and tables[0].y0 < line[0].y0:
            ordered.append(tables.pop(0))
        ordered += line
    return ordered + tables
