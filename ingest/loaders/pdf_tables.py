"""Tables of figures on a PDF page as quotable rows: "label, header: value; header: value".

A row is a line whose cells, after its first, are mostly figures set apart by wide gaps; consecutive
rows make a table, and the lines just above it whose text sits over the figure columns are its
headers (years, units), up to a line of the surrounding prose. Every row comes out as one line that
names its label and each column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.loaders.pdf_layout import Segment

_FIGURE = re.compile(
    r"^[(\-\u2013\u2212]?[$\u00a3\u20ac\u00a5]?\s?(\d[\d,.\s]*\d|\d)\s?(%|x|bn|m|k|pp|pts)?\)?%?$"
    r"|^[\-\u2013\u2014]$|^n/?a$|^nil$",
    re.IGNORECASE,
)


@dataclass
class Table:
    """Rows as quotable lines, and the box the table's lines covered."""

    rows: list[str]
    x0: float
    x1: float
    y0: float
    y1: float
    members: list[Segment]


_YEAR = re.compile(r"^((FY|CY|Q[1-4]|H[12])\s?)?(19|20)\d{2}([/\-\u2013]\d{2,4})?$|^(FY|CY)\s?'?\d{2}$", re.I)


def is_figure(text: str) -> bool:
    return bool(_FIGURE.match(text.strip())) or bool(_YEAR.match(text.strip()))


def group_lines(segs: list[Segment]) -> list[list[Segment]]:
    """Segments sharing a line (vertical overlap), top to bottom, each line left to right."""
    lines: list[list[Segment]] = []
    for seg in sorted(segs, key=lambda s: (s.y0 + s.y1) / 2):
        middle = (seg.y0 + seg.y1) / 2
        if lines and abs(middle - _middle(lines[-1])) < 0.4 * seg.height:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    for line in lines:
        line.sort(key=lambda s: s.x0)
    return lines


def _middle(line: list[Segment]) -> float:
    return sum((s.y0 + s.y1) / 2 for s in line) / len(line)


def _is_row(line: list[Segment]) -> bool:
    """Figures after a label (or alone), in at least two cells; a line of years only is a header."""
    values = line[1:] if not is_figure(line[0].text) else line
    figures = sum(is_figure(s.text) for s in values)
    years = all(_YEAR.match(s.text.strip()) for s in values)
    return figures >= 1 and figures * 2 >= len(values) and len(line) >= 2 and not years


def _is_group(line: list[Segment], rows: list[list[Segment]]) -> bool:
    """A label alone on its line, left of the figures (a sub-heading inside a table)."""
    first_value = min(s.x0 for row in rows for s in row[1:]) if any(len(r) > 1 for r in rows) else 0.0
    return len(line) == 1 and not is_figure(line[0].text) and line[0].x1 < first_value


def find_tables(segs: list[Segment]) -> list[Table]:
    """Tables of at least two rows; their segments are listed in `members` so the prose skips them."""
    lines = group_lines(segs)
    tables: list[Table] = []
    n = 0
    while n < len(lines):
        if not _is_row(lines[n]):
            n += 1
            continue
        end = n
        while end + 1 < len(lines) and _gap(lines[end], lines[end + 1]) < 3.0:
            if _is_row(lines[end + 1]):
                end += 1
            elif (
                end + 2 < len(lines)
                and _is_group(lines[end + 1], lines[n : end + 1])
                and _is_row(lines[end + 2])
                and _gap(lines[end + 1], lines[end + 2]) < 3.0
            ):
                end += 2
            else:
                break
        if end > n:
            tables.append(_table(lines, n, end))
        n = end + 1
    return tables


def _gap(upper: list[Segment], lower: list[Segment]) -> float:
    """Vertical distance between two lines, in line heights."""
    height = max(s.height for s in upper + lower)
    return (min(s.y0 for s in lower) - max(s.y1 for s in upper)) / height


def _table(lines: list[list[Segment]], first: int, last: int) -> Table:
    rows = [line for line in lines[first : last + 1] if _is_row(line)]
    cells = [s for line in rows for s in (line[1:] if not is_figure(line[0].text) else line)]
    columns = _columns(cells)
    left = min(c[0] for c in columns)
    above = first - 1
    if above > 0 and _is_group(lines[above], rows) and _gap(lines[above], lines[first]) < 2.0:
        first, above = above, above - 1
    body = lines[first : last + 1]
    header_lines: list[list[Segment]] = []
    while above >= 0 and len(header_lines) < 3 and _gap(lines[above], lines[above + 1]) < 2.0:
        line = lines[above]
        if _is_row(line) or _is_prose(line) or not any(s.x0 >= left - 2 for s in line):
            break
        header_lines.insert(0, line)
        above -= 1
    headers = [" ".join(_over(line, column) for line in header_lines).strip() for column in columns]
    texts = [_row(line, columns, headers) for line in body]
    members = [s for line in header_lines + body for s in line]
    return Table(
        rows=[t for t in texts if t],
        x0=min(s.x0 for s in members),
        x1=max(s.x1 for s in members),
        y0=min(s.y0 for s in members),
        y1=max(s.y1 for s in members),
        members=members,
    )


PROSE_WORDS = 9  # a cell of this many words is a sentence, not a column's header


def _is_prose(line: list[Segment]) -> bool:
    """A line of the text around a table, never its header: a lead-in ending in a colon ("... as follows
    (in thousands):"), a sentence's end, or a run of words as long as a sentence."""
    text = " ".join(s.text for s in line).rstrip()
    sentence_end = text.endswith(".") and len(text.split()) >= 3
    return text.endswith(":") or sentence_end or any(len(s.text.split()) >= PROSE_WORDS for s in line)


def _columns(cells: list[Segment]) -> list[tuple[float, float]]:
    """Figure columns: the union of overlapping cell extents, left to right."""
    spans: list[list[float]] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        if spans and cell.x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], cell.x1)
        else:
            spans.append([cell.x0, cell.x1])
    return [(a, b) for a, b in spans]


def _over(line: list[Segment], column: tuple[float, float]) -> str:
    """Header text of a line that overlaps a column (a header over two columns names both)."""
    return " ".join(s.text for s in line if s.x0 < column[1] + 2 and s.x1 > column[0] - 2 and s.x0 >= 0)


def _row(line: list[Segment], columns: list[tuple[float, float]], headers: list[str]) -> str:
    if not _is_row(line):
        return " ".join(s.text for s in line)
    label = "" if is_figure(line[0].text) else line[0].text
    values = line[1:] if label else line
    parts: list[str] = []
    for cell in values:
        at = max(range(len(columns)), key=lambda k: min(cell.x1, columns[k][1]) - max(cell.x0, columns[k][0]))
        head = headers[at]
        parts.append(f"{head}: {cell.text}" if head and head != cell.text else cell.text)
    joined = "; ".join(parts)
    return f"{label}, {joined}" if label else joined
