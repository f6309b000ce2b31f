"""The index store: a Chroma collection of chunks plus a manifest collection of documents.

The manifest lives in Chroma beside the chunks so that an embedded index and a shared Chroma
server behave alike, and several processes pointed at one server see the same documents.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from chromadb.errors import NotFoundError

from rag.config import AppConfig
from rag.errors import StoreError
from rag.index import chroma
from rag.index.cards import DocumentCards
from rag.index.chroma import ChromaEmbedding, Key, chunk_metadata, to_passage
from rag.index.derived import DIRTY, Derived
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.types import Chunk, Filters, IndexedDocument, Passage

LOW_SPACE_BYTES = 1 << 20

PAGE_SIZE = 5000
MANIFEST_SUFFIX = "-manifest"
SETTINGS_KEY = "clusterqa_settings"
GENERATION_KEY = "clusterqa_generation"
LEXICAL_DIR = "bm25"
CARDS_FILE = "cards.json"
# Chroma records need a vector; manifest records are looked up by id only.
_PLACEHOLDER_VECTOR = [1.0]


class Store:
    """Opens Chroma once (embedded or server) and holds the chunk and manifest collections."""

    def __init__(self, config: AppConfig, embedder: Embedder) -> None:
        self.config = config
        self.embedder = embedder
        self._client: Any = None
        self._lexical = Derived(config.index_dir / LEXICAL_DIR, LexicalIndex.load, LexicalIndex.build)
        self._cards = Derived(config.index_dir / CARDS_FILE, DocumentCards.load, DocumentCards.build)
        self._open_lock = threading.Lock()
        self._seen_generation: str | None = None  # embedded: the generation this process's vectors show

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._open_lock:
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def _reopen_if_changed(self) -> None:
        """Embedded Chroma: reload the vectors when another process changed the index since we loaded them.

        Texts and metadata are read fresh from disk, but each process holds the vector index in memory
        and never sees another process's writes: without this, `serve` would search the vectors of the
        day it started, and an ingest in it would write over stale vectors.
        """
        if self.config.server_mode or self._client is None:
            return
        current = self.generation()
        if self._seen_generation is None:
            self._seen_generation = current
            return
        if current != self._seen_generation:
            self._reopen(current)

    def _reopen(self, current: str, force: bool = False) -> None:
        """Load the vectors from disk again (unless another thread just did it for this generation)."""
        with self._open_lock:
            if current == self._seen_generation and not force:
                return
            chroma.forget_embedded_system(self.config)
            self._client = self._connect()
            self._seen_generation = current

    def _connect(self) -> Any:
        cfg = self.config
        try:
            return chroma.connect(cfg)
        except StoreError:
            raise
        except NotFoundError as exc:  # the server checks that the tenant and the database exist
            raise StoreError(
                f"cannot open {self._where()}: tenant {cfg.chroma_tenant!r} or database {cfg.chroma_database!r} "
                f"does not exist there ({exc}); create them first (docs/deployment.md) "
                "or correct CLUSTERQA_CHROMA_TENANT / CLUSTERQA_CHROMA_DATABASE"
            ) from exc
        except Exception as exc:  # chromadb raises many types; one message for all of them
            raise StoreError(f"cannot open {self._where()}: {exc}") from exc

    def _where(self) -> str:
        cfg = self.config
        return (
            f"the Chroma server at {cfg.chroma_host}:{cfg.chroma_port}"
            if cfg.server_mode
            else f"the index at {cfg.index_dir}"
        )

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Chroma's write errors ("Error in compaction: ...") as a StoreError that says what went wrong."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot write to {self._where()}: {self._why(exc)}") from exc

    def _why(self, exc: Exception) -> str:
        """The error, with the usual cause when the index folder shows it: a full or read-only disk."""
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if self.config.server_mode:
            return reason
        codes = {getattr(e, "errno", None) for e in (exc, exc.__cause__, exc.__context__) if e is not None}
        try:
            disk = os.statvfs(self.config.index_dir)
        except OSError:
            return reason
        if errno.ENOSPC in codes or disk.f_bavail * disk.f_frsize < LOW_SPACE_BYTES:
            return f"{reason} (no space left on the device)"
        if errno.EROFS in codes or disk.f_flag & os.ST_RDONLY or not os.access(self.config.index_dir, os.W_OK):
            return f"{reason} (the folder is read-only)"
        return reason

    def _collection(self, name: str, **options: Any) -> Any:
        """Looked up by name on every use (about 1 ms): another process may have dropped and re-created the
        collection (`ingest --rebuild` on another machine), and a kept handle would point at the deleted one."""
        try:
            return self.client.get_or_create_collection(
                name, embedding_function=ChromaEmbedding(self.embedder), **options
            )
        except StoreError:
            raise
        except Exception as exc:  # e.g. the server stopped after we connected
            raise StoreError(f"cannot use {self._where()}: {exc}") from exc

    def _chunks(self) -> Any:
        """The chunk collection, with this process's vectors brought up to date first."""
        self._reopen_if_changed()
        return self._chunk_collection()

    def _chunk_collection(self) -> Any:
        return self._collection(self.config.collection, configuration={"hnsw": {"space": "cosine"}})

    def _reload_chunks(self) -> Any:
        """Mid-way through another process's ingest (same generation), vectors older than the chunks."""
        self._reopen(self.generation(), force=True)
        return self._chunk_collection()

    def _manifest(self) -> Any:
        return self._collection(self.config.collection + MANIFEST_SUFFIX)

    # --- manifest -------------------------------------------------------------------------

    def _manifest_metadata(self) -> dict[str, Any]:
        """Read fresh: another process (an ingest, a second server) may have changed it."""
        return dict(self._manifest().metadata or {})

    def settings(self) -> dict[str, Any] | None:
        """The model and chunk settings the index was built with, or None for a new index."""
        raw = self._manifest_metadata().get(SETTINGS_KEY)
        return json.loads(raw) if raw else None

    def save_settings(self, settings: dict[str, Any]) -> None:
        metadata = self._manifest_metadata()
        metadata[SETTINGS_KEY] = json.dumps(settings, sort_keys=True)
        with self._writing():
            self._manifest().modify(metadata=metadata)

    def generation(self) -> str:
        """Changes whenever an ingest pass changes the chunks."""
        return str(self._manifest_metadata().get(GENERATION_KEY, ""))

    def mark_dirty(self) -> None:
        """Announce chunk writes: until commit_generation, readers rebuild BM25 from the chunks."""
        self._reopen_if_changed()  # before writing: this process's vectors must be the latest
        metadata = self._manifest_metadata()
        metadata[GENERATION_KEY] = DIRTY + uuid.uuid4().hex
        with self._writing():
            self._manifest().modify(metadata=metadata)
        self._seen_generation = metadata[GENERATION_KEY]

    def commit_generation(self) -> None:
        """Record a change of the chunks: rebuild BM25 and the document cards, then publish the new generation."""
        stamp = uuid.uuid4().hex
        passages = list(self.passages())
        lexical = self._lexical.build_and_save(passages, stamp)
        cards = self._cards.build_and_save(passages, stamp)
        metadata = self._manifest_metadata()
        metadata[GENERATION_KEY] = stamp
        with self._writing():
            self._manifest().modify(metadata=metadata)
        self._seen_generation = stamp
        self._lexical.keep(lexical)
        self._cards.keep(cards)

    def lexical(self) -> LexicalIndex:
        """The BM25 index of the current generation: from memory, else from disk, else rebuilt once."""
        return self._lexical.get(self.generation(), self.passages)

    def cards(self) -> DocumentCards:
        """The document cards of the current generation: from memory, else from disk, else built from the chunks."""
        return self._cards.get(self.generation(), self.passages)

    def documents(self) -> dict[str, IndexedDocument]:
        result: dict[str, IndexedDocument] = {}
        for ids, metas in self._pages(self._manifest(), ["metadatas"]):
            for doc_id, meta in zip(ids, metas, strict=True):
                result[doc_id] = IndexedDocument(
                    doc_id=doc_id,
                    title=str(meta.get("title", doc_id)),
                    date=meta.get("date") or None,
                    format=str(meta.get("format", "")),
                    sha256=str(meta["sha256"]),
                    source=str(meta.get("source", "")),
                    chunks=int(meta["chunks"]),
                    indexed_at=str(meta.get("indexed_at", "")),
                    url=meta.get("url") or None,
                )
        return result

    def put_document(self, doc: IndexedDocument) -> None:
        self.put_documents([doc])

    def put_documents(self, docs: Sequence[IndexedDocument]) -> None:
        metas = [{k: v for k, v in d.__dict__.items() if k != "doc_id" and v is not None} for d in docs]
        with self._writing():
            self._manifest().upsert(
                ids=[d.doc_id for d in docs], embeddings=[_PLACEHOLDER_VECTOR] * len(docs), metadatas=metas
            )

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            with self._writing():
                self._manifest().delete(ids=list(doc_ids))

    # --- chunks ---------------------------------------------------------------------------

    def add_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray[Any, Any]) -> None:
        step = self.config.upsert_batch_size
        for start in range(0, len(chunks), step):
            part = chunks[start : start + step]
            with self._writing():
                self._chunks().upsert(
                    ids=[c.id for c in part],
                    embeddings=vectors[start : start + step],
                    documents=[c.text for c in part],
                    metadatas=[chunk_metadata(c) for c in part],
                )

    def copy_chunks(self, old: IndexedDocument, new: IndexedDocument) -> None:
        """Store a document's chunks under its new name (a rename or move), reusing their vectors."""
        old_ids, new_ids = old.chunk_ids(), new.chunk_ids()
        updates = {Key.DOC_ID: new.doc_id, Key.SOURCE: new.source, Key.TITLE: new.title}
        got = self._chunks().get(ids=list(old_ids), include=["embeddings", "documents", "metadatas"])
        by_id = {i: n for n, i in enumerate(got["ids"])}
        order = [by_id[i] for i in old_ids]
        metas = [{**got["metadatas"][n], **updates} for n in order]
        with self._writing():
            self._chunks().upsert(
                ids=list(new_ids),
                embeddings=[got["embeddings"][n] for n in order],
                documents=[got["documents"][n] for n in order],
                metadatas=metas,
            )

    def delete_chunks(self, ids: Sequence[str]) -> None:
        step = self.config.upsert_batch_size
        ids = list(ids)
        for start in range(0, len(ids), step):
            with self._writing():
                self._chunks().delete(ids=ids[start : start + step])

    def chunk_ids(self) -> set[str]:
        return {i for ids, _ in self._pages(self._chunks(), []) for i in ids}

    def count(self) -> int:
        return int(self._chunks().count())

    def passages(self, filters: Filters | None = None) -> Iterator[Passage]:
        """Every chunk (or those the filters allow) as a passage without scores, page by page."""
        collection, clause = self._chunks(), chroma.where(filters)
        for start in range(0, self.count() or 1, PAGE_SIZE):
            got = collection.get(where=clause, include=["documents", "metadatas"], limit=PAGE_SIZE, offset=start)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield to_passage(cid, text, meta)
            if len(got["ids"]) < PAGE_SIZE:
                return

    def get(self, ids: Sequence[str]) -> list[Passage]:
        """The chunks with these ids that exist, in no particular order."""
        if not ids:
            return []
        got = self._chunks().get(ids=list(ids), include=["documents", "metadatas"])
        return [to_passage(c, t, m) for c, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

    def query(self, vector: np.ndarray[Any, Any], k: int, filters: Filters | None = None) -> list[Passage]:
        """The k chunks nearest the vector (cosine), best first, with their similarity as `dense`."""
        self._reopen_if_changed()
        reload = None if self.config.server_mode else self._reload_chunks
        got = chroma.query_fresh(
            self._chunk_collection(),
            reload,
            query_embeddings=[vector],
            n_results=k,
            where=chroma.where(filters),
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(got["ids"], got["documents"], got["metadatas"], got["distances"], strict=True)
        return [to_passage(c, t, m, 1.0 - float(d)) for c, t, m, d in rows]

    def vectors(self, ids: Sequence[str] | None = None) -> dict[str, np.ndarray[Any, Any]]:
        """The stored vectors of these chunks (of every chunk when ids is None)."""
        got = self._chunks().get(ids=None if ids is None else list(ids), include=["embeddings"])
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"], strict=True)}

    @staticmethod
    def _pages(collection: Any, include: list[str]) -> Iterator[tuple[list[str], list[Any]]]:
        offset = 0
        while True:
            got = collection.get(include=include, limit=PAGE_SIZE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            yield ids, (got.get("metadatas") or [None] * len(ids))
            if len(ids) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    def drop(self) -> None:
        """Delete both collections (for --rebuild)."""
        existing = {collection.name for collection in self.client.list_collections()}
        for name in (self.config.collection, self.config.collection + MANIFEST_SUFFIX):
            if name in existing:
                with self._writing():
                    self.client.delete_collection(name)
        self._lexical.keep(None)
        self._cards.keep(None)
        self._seen_generation = None
