"""PDF: layout-aware text per page (pypdfium2), page numbers and printed labels kept, OCR where needed.

Each page's characters become segments (footnote markers dropped), page furniture goes, tables
become quotable rows (each table its own block), and prose is read column by column.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.loaders import ocr
from ingest.loaders.common import Parsed, clean_text, normalize_date
from ingest.loaders.pdf_furniture import PageText, strip_furniture
from ingest.loaders.pdf_layout import page_chars, segments
from ingest.loaders.pdf_order import items, reading_order
from ingest.loaders.pdf_tables import find_tables
from rag.errors import LoadError
from rag.types import Block

ENCRYPTED = "the PDF is encrypted (password-protected); save an unprotected copy"


def load_pdf(data: bytes) -> Parsed:
    pdf = _open(data)
    count = len(pdf)
    if count == 0:
        raise LoadError("the PDF has no pages")
    can_ocr = ocr.available()
    parsed = Parsed(
        empty_reason=(
            f"the PDF's {count} page(s) have no text layer and OCR (Tesseract) found no text in them"
            if can_ocr
            else f"the PDF's {count} page(s) have no text layer (scanned images?); it needs OCR:"
            " install Tesseract (Debian: apt-get install tesseract-ocr) and index it again"
        )
    )
    parsed.title, parsed.date = _metadata(pdf)
    pages: list[PageText] = []
    for index in range(count):
        try:
            page = pdf[index]
            pages.append(PageText(segments(page_chars(page)), page.get_height()))
        except pdfium.PdfiumError as exc:  # one bad page must not hide the others
            raise LoadError(f"page {index + 1} of the PDF cannot be read ({exc})") from exc
    labels = strip_furniture(pages)
    for number, (page, label) in enumerate(zip(pages, labels, strict=True), start=1):
        # A page with nothing but furniture is a scan (or blank): read it by OCR where Tesseract is installed.
        if not page.segments and can_ocr:
            lines = ocr.ocr_page(pdf[number - 1]).splitlines()
            text = join_wrapped_lines(clean_text("\n".join(x for x in lines if x.strip() not in page.furniture)))
            parsed.blocks.append(Block(text=text, page=number, label=label, ocr=True))
            continue
        parsed.blocks += _page_blocks(page, number, label)
    return parsed


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD and b"/Encrypt" in data:
            raise LoadError(ENCRYPTED) from exc
        # PDFium refuses an empty page tree without an error of its own (its last error code is stale).
        if code in (pdfium_c.FPDF_ERR_SUCCESS, pdfium_c.FPDF_ERR_PASSWORD):
            raise LoadError("the PDF has no pages (or its page tree is damaged)") from exc
        raise LoadError(f"the PDF is damaged and cannot be read ({exc})") from exc


def _page_blocks(page: PageText, number: int, label: str | None) -> list[Block]:
    """Prose runs and tables of one page, in reading order; each table is a block of its own."""
    tables = find_tables(page.segments)
    blocks: list[Block] = []
    prose: list[str] = []
    for item in reading_order(items(page.segments, tables)):
        if item.segment is not None:
            prose.append(item.segment.text)
            continue
        caption = None
        if prose:
            text = join_wrapped_lines(clean_text("\n".join(prose)))
            blocks.append(Block(text=text, page=number, label=label))
            caption = table_caption(text)
            prose = []
        if item.table is not None:
            blocks.append(Block(text="\n".join(item.table.rows), page=number, section=caption, label=label))
    if prose:
        blocks.append(Block(text=join_wrapped_lines(clean_text("\n".join(prose))), page=number, label=label))
    return blocks


_FIGURE = re.compile(r"(?<![\w.])\d[\d.,]*")
_SENTENCE_END = re.compile(r"[a-z)]\.(\s|$)")
_ENDS_IN_WORD = re.compile(r"\b[a-z]+,?\s*$")
_SECTION_START = re.compile(r"^(\d{1,2}(\.\d+)*\.?\s+[A-Z]|[-*\u2022]\s)")


def _is_row(line: str) -> bool:
    """A row of a table of figures: several separate numbers on one line, and no sentence ending."""
    return len(_FIGURE.findall(line)) >= 4 and not _SENTENCE_END.search(line)


_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\d])")
_CUT_SHORT = re.compile(r"\b(of|and|or|the|a|an|to|in|on|for|by|with|from|as|at)$", re.I)
CAPTION_WORDS = 12  # a title over a table is short; a longer line without a colon is prose


def table_caption(prose: str) -> str | None:
    """What the prose just before a table says it holds: its last sentence when that leads in with a colon
    ("... is as follows (in thousands):"), or its last line when that is a short title ("Operating
    expenses"): a capital first, no sentence's end, no amount, not cut short on "of" or "and"."""
    last = prose.rstrip().rsplit("\n", 1)[-1].strip()
    sentence = _LAST_SENTENCE.split(last)[-1]
    if sentence.endswith(":") and len(sentence.split()) >= 2:
        return sentence
    title = (
        2 <= len(last.split()) <= CAPTION_WORDS
        and last[:1].isupper()
        and "$" not in last
        and not last.endswith((".", "!", "?", ";", ","))
        and not _CUT_SHORT.search(last)
    )
    return last if title else None


def join_wrapped_lines(text: str) -> str:
    """Undo the layout's line wrapping so sentences read whole; keep headings and table rows apart.

    A line continues on the next when it does not end a sentence and: the next starts in lower case
    (a row of a table does not); or it reaches near the right margin and ends in a lower-case word, the
    next not being a row of figures; or, neither being such a row, it reaches near the right margin or
    the next starts with a figure.
    A line that opens a numbered section or a bullet always starts anew. (Sentences dense with figures
    look like rows; cut at their wrap, a quote loses its unit or its date.)
    """
    lines = text.split("\n")
    prose = sorted(len(line) for line in lines if line.strip() and not _is_row(line))
    if not prose:
        return text
    wide = 0.6 * prose[int(0.9 * (len(prose) - 1))]
    out = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        lower, long = line[:1].islower(), len(previous) >= wide
        carries_on = lower or line[:1].isdigit() or line[:1] == "$"
        if (
            previous.strip()
            and line.strip()
            and not previous.rstrip().endswith((".", "!", "?", ":", ";"))
            and not _SECTION_START.match(line)
            and (
                lower
                or (long and _ENDS_IN_WORD.search(previous) and not _is_row(line))
                or ((long or carries_on) and not _is_row(previous) and not _is_row(line))
            )
        ):
            out[-1] = f"{out[-1].rstrip()} {line.lstrip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _metadata(pdf: pdfium.PdfDocument) -> tuple[str | None, str | None]:
    try:
        info = pdf.get_metadata_dict()
    except pdfium.PdfiumError:  # damaged metadata only costs us the title and date
        return None, None
    title = (info.get("Title") or "").strip() or None
    return title, normalize_date(info.get("CreationDate"))
