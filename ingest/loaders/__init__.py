"""Turn a file into a Document: check it, sniff its content, then hand it to its format's loader."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from ingest.loaders import docx, html, pdf, text
from ingest.loaders.common import Parsed, humanize_stem
from rag.errors import LoadError
from rag.types import Document

Loader = Callable[[bytes], Parsed]

LOADERS: dict[str, tuple[str, Loader]] = {
    ".md": ("markdown", text.load_markdown),
    ".markdown": ("markdown", text.load_markdown),
    ".txt": ("text", text.load_text),
    ".html": ("html", html.load_html),
    ".htm": ("html", html.load_html),
    ".pdf": ("pdf", pdf.load_pdf),
    ".docx": ("docx", docx.load_docx),
}
SUPPORTED = ", ".join(sorted({ext for ext in LOADERS if ext not in (".markdown", ".htm")}))

_MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP archive (DOCX, XLSX, ...)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "a program (ELF)",
}


def check_supported(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in LOADERS:
        kind = f"'{suffix}'" if suffix else "without an extension"
        raise LoadError(f"unsupported file type {kind}; ClusterQA reads {SUPPORTED}")


def load_document(path: Path, doc_id: str, max_bytes: int) -> Document:
    """Read and parse one file; LoadError carries a reason a person understands."""
    check_supported(path)
    return parse_bytes(read_bytes(path, max_bytes), path, doc_id)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        _check_regular(path.stat())
        # Non-blocking: a named pipe swapped in after the check must not stall the ingest.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            _check_regular(info)
            if info.st_size > max_bytes:
                raise LoadError(size_reason(info.st_size, max_bytes))
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise LoadError("the file disappeared while it was being indexed") from exc
    except PermissionError as exc:
        raise LoadError("permission denied: the file cannot be read") from exc
    except IsADirectoryError as exc:
        raise LoadError("this is a folder, not a file") from exc
    except OSError as exc:
        raise LoadError(f"the file cannot be read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise LoadError("the file grew past the size limit while it was being read")
    if not data.strip():
        raise LoadError("the file is empty")
    return data


def size_reason(size: int, max_bytes: int) -> str:
    """Why a file over the size limit is refused; the limit as set (0.5 MB is not "0 MB")."""
    megabytes = size / 1048576
    shown = f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2f}"
    return f"the file is {shown} MB, over the limit of {max_bytes / 1048576:g} MB (setting CLUSTERQA_MAX_FILE_MB)"


_SPECIAL = [
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
]


def _check_regular(info: os.stat_result) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = next((name for test, name in _SPECIAL if test(info.st_mode)), "not a regular file")
    raise LoadError(f"this is {kind}, not a regular file; only files are indexed")


def parse_bytes(data: bytes, path: Path, doc_id: str) -> Document:
    fmt, loader = LOADERS[path.suffix.lower()]
    _check_content(data, fmt, path.suffix.lower())
    try:
        parsed = loader(data)
    except LoadError:
        raise
    except Exception as exc:  # a library's parse error on a damaged file
        raise LoadError(f"the {fmt.upper()} file is damaged or not valid: {exc}") from exc
    blocks = tuple(b for b in parsed.blocks if b.text.strip())
    if not blocks:
        raise LoadError(parsed.empty_reason or "no text was found in the document")
    return Document(
        doc_id=doc_id,
        title=parsed.title or humanize_stem(path.stem),
        source=str(path),
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        date=parsed.date,
        blocks=blocks,
        url=parsed.url,
    )


def _check_content(data: bytes, fmt: str, suffix: str) -> None:
    """Refuse content that does not match its extension, naming what it really is."""
    head = data[:1024].lstrip()
    actual = next((name for magic, name in _MAGIC.items() if head.startswith(magic)), None)
    if fmt == "pdf":
        if b"%PDF" not in data[:1024]:
            raise LoadError(f"not a PDF: the content is {actual or 'not PDF data'} despite the .pdf name")
    elif fmt == "docx":
        if not data.startswith(b"PK\x03\x04"):
            raise LoadError(f"not a DOCX: the content is {actual or 'not a Word (ZIP) file'} despite the .docx name")
    elif actual is not None:
        raise LoadError(f"this is {actual} named {suffix}; give it its real extension")
