"""Types that cross package boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

BLOCK_SEPARATOR = "\n\n"
AnswerMode = Literal["extractive", "llm"]
Mode = Literal["hybrid", "dense", "bm25"]  # retrieval
MODES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class Block:
    """A unit of a document's text that has one location: a PDF page or a section.

    `label` is the page number printed on a PDF page, where it prints one; `ocr` marks text read by OCR.
    """

    text: str
    page: int | None = None
    section: str | None = None
    label: str | None = None
    ocr: bool = False


@dataclass(frozen=True)
class Document:
    """A loaded file. Its text is its blocks joined by BLOCK_SEPARATOR; spans refer to that text."""

    doc_id: str
    title: str
    source: str
    format: str
    sha256: str
    date: str | None
    blocks: tuple[Block, ...]
    url: str | None = None  # the web address it was fetched from (clusterqa add)

    @property
    def text(self) -> str:
        return BLOCK_SEPARATOR.join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Chunk:
    """A piece of a document small enough for the embedding model's window."""

    id: str
    doc_id: str
    text: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    chunk_index: int
    metadata: dict[str, str] = field(default_factory=dict)
    page_label: str | None = None
    ocr: bool = False


@dataclass(frozen=True)
class FailedFile:
    source: str
    error: str


@dataclass
class IngestReport:
    """What one ingest pass did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    embedded: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": [{"source": f.source, "error": f.error} for f in self.failed],
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        line = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed; "
            f"{self.chunks} chunks in the index ({self.seconds:.1f} s)"
        )
        return line


@dataclass(frozen=True)
class IndexedDocument:
    """One entry of the manifest: what the index holds for a document."""

    doc_id: str
    title: str
    date: str | None
    format: str
    sha256: str
    source: str
    chunks: int
    indexed_at: str
    url: str | None = None

    def chunk_ids(self) -> list[str]:
        return [chunk_id(self.doc_id, self.sha256, i) for i in range(self.chunks)]


def chunk_id(doc_id: str, sha256: str, index: int) -> str:
    """Ids name the content version, so a crash mid-update leaves only orphans, never a mix."""
    return f"{doc_id}#{sha256[:12]}#{index}"


def same_version(a: str, b: str) -> bool:
    """Are these two chunk ids of the same version of the same document?"""
    return a.rsplit("#", 1)[0] == b.rsplit("#", 1)[0]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its scores; `also` lists other documents saying the same thing."""

    chunk_id: str
    doc_id: str
    text: str
    title: str
    source: str
    date: str | None
    format: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    score: float
    dense: float | None = None
    bm25: float | None = None
    also: tuple[str, ...] = ()
    chunk_index: int = 0
    page_label: str | None = None
    ocr: bool = False
    url: str | None = None

    def as_json(self) -> dict[str, object]:
        """What search prints: where the passage is, its score and its text."""
        return {
            "document": self.title,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "date": self.date,
            "page": self.page,
            "page_label": self.page_label,
            "section": self.section,
            "score": round(self.score, 6),
            "text": self.text,
        }


@dataclass(frozen=True)
class Citation:
    """Citation n of an answer: the passage, the sentence of it the answer relies on, its support."""

    n: int
    passage: Passage
    quote: str
    support: float

    def as_json(self) -> dict[str, object]:
        p = self.passage
        return {
            "n": self.n,
            "doc_id": p.doc_id,
            "chunk_id": p.chunk_id,
            "title": p.title,
            "source": p.source,
            "url": p.url,
            "page": p.page,
            "page_label": p.page_label,
            "ocr": p.ocr,
            "section": p.section,
            "date": p.date,
            "text": p.text,
            "quote": self.quote,
            "score": round(self.support, 4),
        }


@dataclass(frozen=True)
class Excerpt:
    """Text around a passage for reading (its page, section or neighbouring chunks), and where it sits in it."""

    text: str
    start: int
    end: int


def date_number(date: str | None) -> int | None:
    """ISO date as YYYYMMDD, for date-range filters (a year alone is its first day)."""
    if not date:
        return None
    return int(date[:10].replace("-", "").ljust(8, "0"))


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval: a date range (ISO dates, inclusive), formats, specific documents."""

    since: str | None = None
    until: str | None = None
    formats: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    abstained: bool
    mode: AnswerMode
    timings_ms: dict[str, float] = field(default_factory=dict)
    nearest: list[Passage] = field(default_factory=list)
    notice: str | None = None
    unsupported: int = 0
    retrieved: list[Passage] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "citations": [c.as_json() for c in self.citations],
            "nearest": [
                {
                    "doc_id": p.doc_id,
                    "title": p.title,
                    "date": p.date,
                    "page": p.page,
                    "page_label": p.page_label,
                    "section": p.section,
                    "text": p.text,
                    "score": round(p.score, 4),
                }
                for p in self.nearest
            ],
            "notice": self.notice,
            "unsupported": self.unsupported,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
