"""Pieces every loader shares: the parse result, text decoding and date normalisation."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field

from rag.errors import LoadError
from rag.types import Block


@dataclass
class Parsed:
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    empty_reason: str | None = None
    url: str | None = None


@dataclass
class Sections:
    """A document's lines gathered under its current heading; each run becomes a block with that section."""

    parsed: Parsed
    section: str | None = None
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def heading(self, title: str) -> None:
        """The run so far becomes a block; the heading opens the next run, as its section and first line."""
        self.close()
        self.section = title
        self.lines.append(title)

    def close(self) -> None:
        text = clean_text("\n".join(self.lines))
        if text:
            self.parsed.blocks.append(Block(text=text, section=self.section))
        self.lines.clear()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is refused, never guessed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(f"the UTF-16 text is broken at byte {exc.start}; save the file again as UTF-8") from exc
    if b"\x00" in data[:8192]:
        raise LoadError("the file holds binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"the text is not valid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start});"
            " save the file as UTF-8"
        ) from exc


def clean_text(text: str) -> str:
    """Whitespace and hyphenation repairs only: the words stay as the source has them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    text = re.sub(r"(\w)-\n(?=[a-z])", r"\1", text)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")


def normalize_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a datetime, an ISO string, a PDF date or prose; else None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    raw = str(value).strip().strip("\"'")
    if not raw:
        return None
    match = _PDF_DATE.match(raw)
    if match:
        year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
        return _valid(f"{year}-{month}-{day}")
    if re.fullmatch(r"\d{4}-\d{2}", raw):
        return _valid(raw + "-01")
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).strftime("%Y-%m-%d")
    except ValueError:
        pass
    from dateutil import parser

    try:
        parsed = parser.parse(raw, default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    return None if parsed.year == 1900 else parsed.strftime("%Y-%m-%d")


def _valid(iso: str) -> str | None:
    try:
        return dt.date.fromisoformat(iso).isoformat()
    except ValueError:
        return None


def humanize_stem(stem: str) -> str:
    """A readable title from a file name when the document states none."""
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem
