"""PDF: text per page with page numbers kept; title and date from the document's metadata."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ingest.loaders.common import Parsed, clean_text, normalize_date
from rag.errors import LoadError
from rag.types import Block


def load_pdf(data: bytes) -> Parsed:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("the PDF is encrypted (password-protected); save an unprotected copy")
        pages = reader.pages
        count = len(pages)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise LoadError(f"the PDF is damaged and cannot be read ({exc})") from exc
    except Exception as exc:  # pypdf raises plain exceptions for some damage, and for AES without cryptography
        if "crypt" in str(exc).lower():
            raise LoadError("the PDF is encrypted (password-protected); save an unprotected copy") from exc
        raise LoadError(f"the PDF is damaged and cannot be read ({exc})") from exc
    if count == 0:
        raise LoadError("the PDF has no pages")
    parsed = Parsed(
        empty_reason=(
            f"the PDF's {count} page(s) have no text layer (scanned images?); it needs OCR, which ClusterQA does not do"
        )
    )
    meta = _metadata(reader)
    parsed.title = meta[0]
    parsed.date = meta[1]
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one bad page must not hide the others
            raise LoadError(f"page {number} of the PDF cannot be read ({exc})") from exc
        parsed.blocks.append(Block(text=join_wrapped_lines(clean_text(text)), page=number))
    return parsed


_FIGURE = re.compile(r"(?<![\w.])\d[\d.,]*")
_SENTENCE_END = re.compile(r"[a-z)]\.(\s|$)")
_SECTION_START = re.compile(r"^(\d{1,2}(\.\d+)*\.?\s+[A-Z]|[-*\u2022]\s)")


def _is_row(line: str) -> bool:
    """A row of a table of figures: several separate numbers on one line, and no sentence ending."""
    return len(_FIGURE.findall(line)) >= 4 and not _SENTENCE_END.search(line)


def join_wrapped_lines(text: str) -> str:
    """Undo the layout's line wrapping so sentences read whole; keep headings and table rows apart.

    A line continues on the next when it does not end a sentence, is not a row of figures, and
    either reaches near the right margin or is followed by a line that starts in lower case or
    with a figure; a line that opens a numbered section or a bullet always starts anew.
    """
    lines = text.split("\n")
    prose = sorted(len(line) for line in lines if line.strip() and not _is_row(line))
    if not prose:
        return text
    wide = 0.6 * prose[int(0.9 * (len(prose) - 1))]
    out = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        carries_on = line[:1].islower() or line[:1].isdigit() or line[:1] == "$"
        if (
            previous.strip()
            and line.strip()
            and (len(previous) >= wide or carries_on)
            and not previous.rstrip().endswith((".", "!", "?", ":", ";"))
            and not _is_row(previous)
            and not _is_row(line)
            and not _SECTION_START.match(line)
        ):
            out[-1] = f"{out[-1].rstrip()} {line.lstrip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _metadata(reader: PdfReader) -> tuple[str | None, str | None]:
    try:
        info = reader.metadata
    except Exception:  # noqa: BLE001 - damaged metadata only costs us the title and date
        return None, None
    if info is None:
        return None, None
    title = (info.title or "").strip() or None
    try:
        created = info.creation_date
    except Exception:  # noqa: BLE001 - an unparseable date string
        created = None
    date = normalize_date(created) or normalize_date(info.get("/CreationDate"))
    return title, date
