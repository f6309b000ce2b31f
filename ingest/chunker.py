"""Sentence-aware chunks that fit the embedding model's window, measured with its own tokenizer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.errors import LoadError
from rag.index.embedder import Embedder
from rag.text import sentence_spans
from rag.types import BLOCK_SEPARATOR, Block, Chunk, Document, chunk_id


class ChunkTooLongError(LoadError):
    """A chunk would exceed the model window; raised instead of letting the model truncate it."""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


def chunk_document(doc: Document, embedder: Embedder, max_tokens: int, overlap_tokens: int) -> list[Chunk]:
    """Chunks of whole sentences (a sentence longer than the window is cut at word boundaries).

    Chunks never cross a block, so each has one page or section. Consecutive chunks share
    up to overlap_tokens of trailing sentences.
    """
    limit = min(max_tokens, embedder.max_tokens)
    text = doc.text
    spans: list[tuple[int, int, int]] = []  # (start, end, block index)
    offset = 0
    for index, block in enumerate(doc.blocks):
        spans += [(s, e, index) for s, e in sentence_spans(text, offset, offset + len(block.text))]
        offset += len(block.text) + len(BLOCK_SEPARATOR)
    counts = embedder.count_tokens([text[s:e] for s, e, _ in spans])
    pieces: list[tuple[int, list[_Unit]]] = []
    for (start, end, index), count in zip(spans, counts, strict=True):
        units = [_Unit(start, end, count)] if count <= limit else _split_long(text, start, end, embedder, limit)
        if pieces and pieces[-1][0] == index:
            pieces[-1][1].extend(units)
        else:
            pieces.append((index, units))

    windows: list[tuple[int, int, int]] = []
    for index, units in pieces:
        windows += [(s, e, index) for s, e in _pack(units, limit, overlap_tokens)]
    chunks = [_make_chunk(doc, n, start, end, doc.blocks[index]) for n, (start, end, index) in enumerate(windows)]
    _verify(chunks, embedder, limit)
    return chunks


def _pack(units: Sequence[_Unit], limit: int, overlap: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        total, last = 0, first
        while last < len(units) and total + units[last].tokens <= limit:
            total += units[last].tokens
            last += 1
        windows.append((units[first].start, units[last - 1].end))
        if last >= len(units):
            break
        # Start the next chunk with trailing sentences of this one, within the overlap budget.
        back, carried = last, 0
        while back - 1 > first and carried + units[back - 1].tokens <= overlap:
            back -= 1
            carried += units[back].tokens
        first = back
    return windows


def _split_long(text: str, start: int, end: int, embedder: Embedder, limit: int) -> list[_Unit]:
    """Cut an over-long sentence into pieces of at most limit tokens, at word boundaries."""
    offsets = embedder.token_offsets(text[start:end])
    units: list[_Unit] = []
    first = 0
    while first < len(offsets):
        last = min(first + limit, len(offsets))
        if last < len(offsets):
            # Back off to the start of a word so no word is split between chunks.
            cut = last
            while cut > first + 1 and offsets[cut][0] == offsets[cut - 1][1]:
                cut -= 1
            last = cut if cut > first + 1 else last
        units.append(_Unit(start + offsets[first][0], start + offsets[last - 1][1], last - first))
        first = last
    return units


def _make_chunk(doc: Document, n: int, start: int, end: int, block: Block) -> Chunk:
    return Chunk(
        id=chunk_id(doc.doc_id, doc.sha256, n),
        doc_id=doc.doc_id,
        text=doc.text[start:end],
        page=block.page,
        section=block.section,
        page_label=block.label,
        ocr=block.ocr,
        char_start=start,
        char_end=end,
        chunk_index=n,
        metadata={
            "title": doc.title,
            "date": doc.date or "",
            "format": doc.format,
            "source": doc.source,
            "sha256": doc.sha256,
            "url": doc.url or "",
        },
    )


def _verify(chunks: Sequence[Chunk], embedder: Embedder, limit: int) -> None:
    for chunk, count in zip(chunks, embedder.count_tokens([c.text for c in chunks]), strict=True):
        if count > limit:
            raise ChunkTooLongError(
                f"chunk {chunk.chunk_index} of {chunk.doc_id} has {count} tokens, over the {limit}-token window"
            )
