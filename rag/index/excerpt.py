"""A passage in its context for reading: its PDF page or section, rebuilt from the stored chunks."""

from __future__ import annotations

from collections.abc import Sequence

from rag.index.store import Store
from rag.types import Excerpt, Filters, Passage, same_version

# Chunks either side of the passage shown when its document has no pages or sections to go by.
CONTEXT_CHUNKS = 2
MAX_VIEW_CHUNKS = 9


def excerpt(store: Store, passage: Passage) -> Excerpt | None:
    """The passage's page or section (else its neighbouring chunks), from the same document version."""
    chunks = [
        p
        for p in store.passages(Filters(doc_ids=(passage.doc_id,)))
        if same_version(p.chunk_id, passage.chunk_id) and p.text
    ]
    if not chunks:
        return None
    chunks.sort(key=lambda p: p.chunk_index)
    at = next((i for i, p in enumerate(chunks) if p.char_start == passage.char_start), None)
    if at is None:
        return None
    if passage.page is not None:
        same = [i for i, p in enumerate(chunks) if p.page == passage.page]
    elif passage.section:
        same = [i for i, p in enumerate(chunks) if p.section == passage.section]
    else:
        same = list(range(at - CONTEXT_CHUNKS, at + CONTEXT_CHUNKS + 1))
    half = MAX_VIEW_CHUNKS // 2
    chosen = [chunks[i] for i in same if 0 <= i < len(chunks) and abs(i - at) <= half] or [chunks[at]]
    return join(chosen, passage)


def join(chunks: Sequence[Passage], passage: Passage) -> Excerpt:
    """Overlapping chunks back into one text, by their character spans in the document."""
    parts: list[str] = []
    first = chunks[0].char_start
    end = first
    for chunk in chunks:
        start, text = chunk.char_start, chunk.text
        if start >= end:
            if parts:
                parts.append("\n\n" if start - end >= 2 else " ")
            parts.append(text)
        elif start + len(text) > end:
            parts.append(text[end - start :])
        end = max(end, start + len(text))
    joined = "".join(parts)
    # Offsets in the joined text equal the document's when no gap was filled; find the passage to be sure.
    at = joined.find(passage.text)
    if at < 0:
        at = max(0, passage.char_start - first)
    return Excerpt(joined, at, at + len(passage.text))
