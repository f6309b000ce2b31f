"""Turn a fetched answer into a corpus file: a web page's main text as Markdown, a PDF or DOCX as it is."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

from rag.errors import FetchError

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DECLARED = {
    "text/html": ".md",
    "application/xhtml+xml": ".md",
    "application/pdf": ".pdf",
    DOCX_TYPE: ".docx",
}
_BINARY_ANYWAY = {"application/octet-stream", "binary/octet-stream", "application/x-pdf", "application/download"}
_NAMES = {".md": "a web page", ".pdf": "a PDF", ".docx": "a DOCX"}


@dataclass(frozen=True)
class Content:
    """What gets saved: the file's extension and bytes, and the page's title and date when it states them."""

    suffix: str
    data: bytes
    title: str | None = None
    date: str | None = None


def sniff(body: bytes) -> str | None:
    """What the bytes really are, as the extension we would save them under."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF"):
        return ".pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                return ".docx" if "word/document.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            return None
    start = body[:65536].lower()
    if head.lower().startswith(b"<!doctype html") or b"<html" in start or b"<body" in start:
        return ".md"
    return None


def classify(content_type: str, body: bytes) -> str:
    """The extension to save under, once the declared type and the content agree."""
    declared_type = content_type.split(";")[0].strip().lower()
    actual = sniff(body)
    declared = _DECLARED.get(declared_type)
    if declared is None and declared_type in _BINARY_ANYWAY and actual in (".pdf", ".docx"):
        return actual
    if declared is None:
        shown = declared_type or "no content type"
        raise FetchError(f"not a document: the server sends {shown}; ClusterQA adds web pages, PDF and DOCX")
    if actual != declared:
        what = _NAMES.get(actual or "", "something else")
        raise FetchError(f"not a document: the server calls it {declared_type} but the content is {what}")
    return declared


def convert(content_type: str, body: bytes, url: str, fetched: str, title: str | None, date: str | None) -> Content:
    suffix = classify(content_type, body)
    if suffix != ".md":
        return Content(suffix, body, title, date)
    return page_markdown(body, url, fetched, title, date)


def page_markdown(body: bytes, url: str, fetched: str, title: str | None, date: str | None) -> Content:
    """The article of a web page without menus, footers or comments, with its title, date and author."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    # Bytes, not text: trafilatura reads the page's declared charset (or guesses), so Latin-1 pages stay readable.
    text = trafilatura.extract(
        body, url=url, output_format="markdown", include_comments=False, include_tables=True, with_metadata=False
    )
    if not text or not text.strip():
        raise FetchError("not a document: no article text was found on the page")
    tree = trafilatura.load_html(body)
    meta = extract_metadata(tree, default_url=url) if tree is not None else None
    title = (meta.title if meta else None) or title
    date = (meta.date if meta else None) or date
    author = meta.author if meta else None
    fields = {"title": title, "date": date, "author": author, "url": url, "fetched": fetched}
    front = "".join(f"{key}: {_one_line(value)}\n" for key, value in fields.items() if value)
    text = text.strip()
    heading = f"# {_one_line(title)}\n\n" if title and not text.startswith("# ") else ""
    return Content(".md", f"---\n{front}---\n\n{heading}{text}\n".encode(), title, date)


def content_hash(data: bytes) -> str:
    """The hash that decides "unchanged": of the saved bytes, without the line that records when they were fetched."""
    return hashlib.sha256(re.sub(rb"(?m)^fetched: .*\n", b"", data, count=1)).hexdigest()


def file_name(url: str, suffix: str) -> str:
    """A safe, stable name for an address: web/<host>/<last path word>-<hash of the address><suffix>."""
    parts = urlsplit(url)
    host = re.sub(r"[^a-z0-9.-]+", "-", (parts.hostname or "host").lower()).strip(".-") or "host"
    words = [w for w in parts.path.split("/") if w]
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", words[-1]) if words else "index"
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60] or "page"
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"web/{host}/{slug}-{digest}{suffix}"


def _one_line(value: str) -> str:
    return " ".join(value.replace('"', "'").split())
