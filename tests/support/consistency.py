"""One checker of everything an index must satisfy after a completed ingest pass, whatever came before."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from ingest.scan import is_hidden
from rag.config import AppConfig
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.store import DIRTY, LEXICAL_DIR, Store
from rag.types import IndexedDocument, chunk_id


def corpus_files(corpus: Path) -> dict[str, Path]:
    """The documents of a corpus folder as the scanner names them (relative posix paths), hidden ones left out."""
    files = {}
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus)
        if path.is_file() and not any(is_hidden(part) for part in relative.parts):
            files[relative.as_posix()] = path
    return files


def assert_consistent(store: Store, corpus: Path | None = None) -> dict[str, IndexedDocument]:
    """Chroma, the manifest, the BM25 index and (given) the corpus folder agree; returns the manifest.

    - Chroma's chunk ids are exactly the manifest's, with no id twice and no (doc, chunk index) twice;
      each chunk's metadata names the document and index its id says, and has a vector the search finds;
    - the generation is committed (not dirty) and the BM25 index on disk is that generation's, over
      exactly Chroma's ids, with no half-written copy left beside it;
    - with `corpus`: the manifest lists exactly the corpus files, each with the hash of the file on disk.
    """
    docs = store.documents()
    expected = [i for doc in docs.values() for i in doc.chunk_ids()]
    doubled = [i for i, n in Counter(expected).items() if n > 1]
    assert not doubled, f"chunk ids owned by two manifest entries: {doubled[:5]}"

    rows = list(store.passages())
    ids = [p.chunk_id for p in rows]
    assert len(ids) == len(set(ids)) == store.count(), "Chroma lists a chunk id twice"
    orphans, missing = set(ids) - set(expected), set(expected) - set(ids)
    assert not orphans, f"chunks no manifest entry owns: {sorted(orphans)[:5]}"
    assert not missing, f"manifest chunks missing from Chroma: {sorted(missing)[:5]}"

    pairs = Counter((p.doc_id, p.chunk_index) for p in rows)
    assert not [p for p, n in pairs.items() if n > 1], "a (doc, chunk index) pair occurs twice"
    for p in rows:
        doc = docs[p.doc_id]
        assert p.chunk_id == chunk_id(doc.doc_id, doc.sha256, p.chunk_index), f"{p.chunk_id}: metadata of another chunk"
        assert p.text, f"{p.chunk_id} has no text"

    if ids:
        vectors = store.vectors(ids)
        assert len(vectors) == len(ids)
        assert all(len(v) == store.embedder.dimension for v in vectors.values()), "a chunk has no full vector"
        probe = min(len(ids), 50)
        found = [p.chunk_id for p in store.query(vectors[ids[0]], probe)]
        assert len(found) == probe and set(found) <= set(ids), "the vector search returns other ids"

    generation = store.generation()
    assert not generation.startswith(DIRTY), f"the generation is not committed: {generation}"
    folder = store.config.index_dir / LEXICAL_DIR
    if generation:
        lexical = LexicalIndex.load(folder)
        assert lexical is not None, f"no readable BM25 index in {folder}"
        assert lexical.stamp == generation, "the BM25 index on disk is of another generation"
        assert len(lexical.ids) == len(set(lexical.ids)) and set(lexical.ids) == set(ids), "BM25 ids != Chroma ids"
        assert set(store.lexical().ids) == set(ids)
    else:
        assert not ids, "chunks were written but no generation was ever committed"
    leftovers = [p.name for p in (folder.with_name(folder.name + ".tmp"), folder.with_name(folder.name + ".old"))]
    assert not [n for n in leftovers if (folder.parent / n).exists()], "a half-saved BM25 index was left behind"

    if corpus is not None:
        files = corpus_files(corpus)
        assert set(docs) == set(files), f"manifest {sorted(set(docs) ^ set(files))[:5]} differ from the corpus"
        for doc_id, path in files.items():
            assert docs[doc_id].sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), f"{doc_id}: stale hash"
    return docs


def assert_crash_state(store: Store) -> None:
    """What a pass stopped at any point (exception, SIGKILL) must leave for readers and for the next pass.

    Every manifest entry's chunks are all in Chroma (writes go: new chunks, manifest entry, old chunks), so
    the next pass only has orphans to delete; and an index still published as committed (not dirty) is
    fully consistent, so readers that trust its BM25 index are right to.
    """
    present = store.chunk_ids()
    for doc in store.documents().values():
        lost = set(doc.chunk_ids()) - present
        assert not lost, f"{doc.doc_id}: the manifest names chunks that are not in Chroma: {sorted(lost)[:3]}"
    if not store.generation().startswith(DIRTY):
        assert_consistent(store)


def fresh_store(config: AppConfig, embedder: Embedder) -> Store:
    """A Store that loads the index from disk now, as a new process would, not through Chroma's cached instance."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(config.index_dir / "chroma"), None)
    return Store(config, embedder)
