"""PDF: text per page with page numbers kept; title and date from the document's metadata."""

from __future__ import annotations

import io

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
        parsed.blocks.append(Block(text=clean_text(text), page=number))
    return parsed


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
