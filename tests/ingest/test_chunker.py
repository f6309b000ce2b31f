"""Chunks fit the model window, keep their location and spans, and overlap a little."""

from __future__ import annotations

from ingest.chunker import chunk_document
from rag.index.embedder import Embedder, model_window
from rag.types import Block, Document

SENTENCE = "The Basque Net-Zero Industrial Supercluster works with partners on hydrogen and steel. "


def make_doc(*blocks: Block) -> Document:
    return Document("d.md", "D", "/tmp/d.md", "markdown", "0" * 64, None, tuple(blocks))


def test_chunks_fit_the_window_and_spans_point_into_the_text(embedder: Embedder) -> None:
    doc = make_doc(Block(SENTENCE * 60, section="One"), Block(SENTENCE * 5, page=None, section="Two"))
    chunks = chunk_document(doc, embedder, 200, 32)
    assert len(chunks) > 4
    counts = embedder.count_tokens([c.text for c in chunks])
    assert max(counts) <= 200
    full = embedder.tokenizer.encode_batch([c.text for c in chunks])  # with [CLS] and [SEP]
    assert max(len(e.ids) for e in full) <= model_window()
    for chunk in chunks:
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    assert {c.section for c in chunks} == {"One", "Two"}


def test_consecutive_chunks_overlap_by_whole_sentences(embedder: Embedder) -> None:
    doc = make_doc(Block(" ".join(f"Sentence number {i} is about cluster {i}." for i in range(200))))
    chunks = chunk_document(doc, embedder, 100, 24)
    for first, second in zip(chunks, chunks[1:], strict=False):
        assert second.char_start < first.char_end, "no overlap"
        assert (
            doc.text[second.char_start - 1] == " " and doc.text[second.char_start : second.char_start + 8] == "Sentence"
        )


def test_a_sentence_longer_than_the_window_is_split_not_truncated(embedder: Embedder) -> None:
    words = " ".join(f"decarbonisation{i}" for i in range(600))
    doc = make_doc(Block(words))
    chunks = chunk_document(doc, embedder, 200, 32)
    assert len(chunks) >= 3
    assert max(embedder.count_tokens([c.text for c in chunks])) <= 200
    # Every word survives, none is cut in two.
    rebuilt = set(" ".join(c.text for c in chunks).split())
    assert rebuilt == set(words.split())


def test_pages_are_kept_per_chunk(embedder: Embedder) -> None:
    doc = make_doc(Block("Page one text.", page=1), Block("Page two text.", page=2))
    chunks = chunk_document(doc, embedder, 200, 32)
    assert [(c.page, c.text) for c in chunks] == [(1, "Page one text."), (2, "Page two text.")]
