"""DOCX: paragraphs and tables in order, Word headings become sections; core properties for title and date."""

from __future__ import annotations

import io
import zipfile

from docx import Document as open_docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.loaders.common import Parsed, Sections, normalize_date
from rag.errors import LoadError

# A real report inflates to a few dozen MB at most; more is a zip bomb.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except zipfile.BadZipFile as exc:
        raise LoadError(f"the DOCX is damaged: it is not a readable ZIP archive ({exc})") from exc
    if "word/document.xml" not in names:
        raise LoadError("not a Word document: the archive has no word/document.xml")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED or total > MAX_RATIO * max(len(data), 1) + 10 * 1024 * 1024:
        packed = f"{len(data) / 1048576:.1f} MB" if len(data) >= 1048576 else f"{len(data) / 1024:.0f} kB"
        raise LoadError(
            f"the DOCX would inflate to {total / 1048576:.0f} MB from {packed}; refused as a possible zip bomb"
        )


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name == "Title":
        return 0
    if name.startswith("Heading"):
        digits = name.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return None


def load_docx(data: bytes) -> Parsed:
    _check_zip(data)
    document = open_docx(io.BytesIO(data))
    props = document.core_properties
    parsed = Parsed(
        title=(props.title or "").strip() or None, date=normalize_date(props.created) if props.created else None
    )
    sections = Sections(parsed)
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                # A merged cell appears once per grid column it spans: keep it once.
                unique = {id(cell._tc): cell.text.strip() for cell in row.cells}
                sections.add(" | ".join(unique.values()))
            continue
        text = item.text.strip()
        if not text:
            continue
        level = _heading_level(item)
        if level is not None:
            if parsed.title is None and level <= 1:
                parsed.title = text
            sections.heading(text)
        else:
            sections.add(text)
    sections.close()
    return parsed
