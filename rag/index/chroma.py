"""Everything that knows Chroma: the client, our embedding function, metadata keys and filters.

Nothing outside `rag/index/` sees a Chroma object; the store turns what Chroma returns into our types.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space

from rag.config import AppConfig
from rag.index.embedder import Embedder
from rag.types import Chunk, Filters, Passage, date_number

# Chroma's own wording when a filtered query meets a chunk this process has no vector for (see ChunkQuery).
STALE_VECTORS = "Error finding id"
QUERY_ATTEMPTS = 3
ROW_KEYS = ("ids", "documents", "metadatas", "distances", "embeddings")


class Key:
    """The metadata keys of a chunk record, defined once."""

    DOC_ID = "doc_id"
    CHUNK_INDEX = "chunk_index"
    CHAR_START = "char_start"
    CHAR_END = "char_end"
    PAGE = "page"
    PAGE_LABEL = "page_label"
    OCR = "ocr"
    SECTION = "section"
    TITLE = "title"
    SOURCE = "source"
    DATE = "date"
    DATE_NUM = "date_num"
    FORMAT = "format"
    URL = "url"


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Our embedder, handed to Chroma so it never falls back to its own downloaded model."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "clusterqa-sentence-transformers"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.embedder.model_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        return ChromaEmbedding(Embedder(str(config.get("model", "all-MiniLM-L6-v2"))))

    def default_space(self) -> Space:
        return "cosine"


def connect(config: AppConfig) -> Any:
    """A Chroma client: HTTP to a server when chroma_host is set, else embedded in the index folder."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if config.server_mode:
        return chromadb.HttpClient(
            host=str(config.chroma_host),
            port=config.chroma_port,
            ssl=config.chroma_ssl,
            tenant=config.chroma_tenant,
            database=config.chroma_database,
            settings=settings,
        )
    path = embedded_path(config)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def embedded_path(config: AppConfig) -> Path:
    return config.index_dir / "chroma"


def forget_embedded_system(config: AppConfig) -> None:
    """Make the next embedded client load the index from disk again.

    Chroma caches one system per path (a private class attribute; chromadb is pinned to the tested minor
    release and tests/rag/test_chroma_private.py fails when this changes). The cached one is not stopped:
    other threads may still read through it, and it is freed when they let go.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(embedded_path(config)), None)


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    meta: dict[str, str | int] = {
        Key.DOC_ID: chunk.doc_id,
        Key.CHUNK_INDEX: chunk.chunk_index,
        Key.CHAR_START: chunk.char_start,
        Key.CHAR_END: chunk.char_end,
    }
    if chunk.page is not None:
        meta[Key.PAGE] = chunk.page
    if chunk.page_label:
        meta[Key.PAGE_LABEL] = chunk.page_label
    if chunk.ocr:
        meta[Key.OCR] = 1
    if chunk.section:
        meta[Key.SECTION] = chunk.section
    for key, value in chunk.metadata.items():
        if value:
            meta[key] = value
    number = date_number(chunk.metadata.get(Key.DATE))
    if number is not None:
        meta[Key.DATE_NUM] = number
    return meta


def to_passage(chunk_id: str, text: str, meta: dict[str, Any], dense: float | None = None) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta.get(Key.DOC_ID, "")),
        text=text,
        title=str(meta.get(Key.TITLE, "")),
        source=str(meta.get(Key.SOURCE, "")),
        date=meta.get(Key.DATE) or None,
        format=str(meta.get(Key.FORMAT, "")),
        page=meta.get(Key.PAGE),
        section=meta.get(Key.SECTION),
        char_start=int(meta.get(Key.CHAR_START, 0)),
        char_end=int(meta.get(Key.CHAR_END, 0)),
        score=0.0,
        dense=dense,
        chunk_index=int(meta.get(Key.CHUNK_INDEX, 0)),
        page_label=meta.get(Key.PAGE_LABEL) or None,
        ocr=bool(meta.get(Key.OCR)),
        url=meta.get(Key.URL) or None,
    )


def where(filters: Filters | None) -> dict[str, Any] | None:
    """Our filters as a Chroma `where` clause."""
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.since:
        clauses.append({Key.DATE_NUM: {"$gte": date_number(filters.since)}})
    if filters.until:
        clauses.append({Key.DATE_NUM: {"$lte": date_number(filters.until)}})
    if filters.formats:
        clauses.append({Key.FORMAT: {"$in": list(filters.formats)}})
    if filters.doc_ids:
        clauses.append({Key.DOC_ID: {"$in": list(filters.doc_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def query_fresh(collection: Any, reload: Callable[[], Any] | None, **kwargs: Any) -> dict[str, Any]:
    """collection.query that copes with vectors older than the chunks (returns the result of the first row).

    Embedded Chroma holds each process's vector index in memory. While another process (an ingest) writes,
    a query here can return ids it has deleted since, with no text and no metadata: they are left out;
    and a filtered query fails on chunks it has added since: the vectors are reloaded and the query retried.
    """
    for attempt in range(1, QUERY_ATTEMPTS + 1):
        try:
            got = collection.query(**kwargs)
            break
        except Exception as exc:
            if reload is None or attempt == QUERY_ATTEMPTS or STALE_VECTORS not in str(exc):
                raise
            collection = reload()
    row = {key: got[key][0] for key in ROW_KEYS if got.get(key)}
    keep = [n for n, meta in enumerate(row.get("metadatas") or []) if meta is not None]
    return {key: [values[n] for n in keep] for key, values in row.items()}
