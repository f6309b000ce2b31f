"""One incremental ingest pass: embed only what changed, and leave the store consistent."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from ingest.chunker import chunk_document
from ingest.loaders import check_supported, parse_bytes, read_bytes
from ingest.scan import Candidate, scan
from ingest.sidecar import read_source
from rag.config import AppConfig
from rag.errors import IndexBusyError, IndexMismatchError, LoadError, StoreError
from rag.index.embedder import MODEL_DIMENSIONS, Embedder
from rag.index.store import DIRTY, Store
from rag.types import Chunk, Document, FailedFile, IndexedDocument, IngestReport

# Bump when chunking or a loader changes in a way that changes chunk texts (an older index asks for --rebuild).
CHUNKER_VERSION = 4
ENCODE_SLICE = 1024
# Parse in worker processes when the new and changed PDF and DOCX files weigh this much together.
PARALLEL_BYTES = 2_000_000
PARALLEL_FORMATS = (".pdf", ".docx")

Progress = Callable[[str, int, int], None]


@dataclass
class _Pending:
    doc: Document
    old: IndexedDocument | None
    chunks: list[Chunk]


def expected_settings(config: AppConfig) -> dict[str, object]:
    return {
        "model": config.model,
        "dimension": MODEL_DIMENSIONS[config.model],
        "chunk_tokens": config.chunk_tokens,
        "chunk_overlap_tokens": config.chunk_overlap_tokens,
        "chunker": CHUNKER_VERSION,
    }


@contextmanager
def index_lock(config: AppConfig, wait: float = 0) -> Iterator[None]:
    lock = FileLock(str(config.index_dir / "ingest.lock"))
    try:
        config.index_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=wait)
    except Timeout:
        raise IndexBusyError(
            f"another ingest is running on {config.index_dir}; wait for it to finish and try again"
        ) from None
    except OSError as exc:  # read-only, full, not a folder, no permission: say so before any work is done
        reason = "it is not a folder" if config.index_dir.exists() and not config.index_dir.is_dir() else exc.strerror
        raise StoreError(f"cannot write to the index at {config.index_dir}: {reason or exc}") from exc
    try:
        yield
    finally:
        lock.release()


def check_settings(store: Store, config: AppConfig) -> None:
    expected = expected_settings(config)
    current = store.settings()
    if current is None:
        if store.count() or store.documents():
            raise IndexMismatchError("the index has no record of its settings; run `clusterqa ingest --rebuild`")
        store.save_settings(expected)
        return
    diffs = [f"{k}: index {current.get(k)!r}, configuration {v!r}" for k, v in expected.items() if current.get(k) != v]
    if diffs:
        raise IndexMismatchError(
            "the index was built with other settings (" + "; ".join(diffs) + "); run `clusterqa ingest --rebuild`"
        )


def reconcile(store: Store) -> tuple[dict[str, IndexedDocument], bool]:
    """Repair what an interrupted pass left: chunks no manifest entry owns, entries missing chunks."""
    documents = store.documents()
    present = store.chunk_ids()
    owned: set[str] = set()
    broken = []
    for doc in documents.values():
        ids = doc.chunk_ids()
        if present.issuperset(ids):
            owned.update(ids)
        else:
            broken.append(doc.doc_id)
    orphans = sorted(present - owned)
    store.delete_documents(broken)
    store.delete_chunks(orphans)
    return {k: v for k, v in documents.items() if k not in broken}, bool(broken or orphans)


def run_ingest(
    config: AppConfig,
    store: Store,
    embedder: Embedder,
    paths: Sequence[Path] = (),
    rebuild: bool = False,
    progress: Progress | None = None,
    wait: float = 0,
) -> IngestReport:
    started = time.perf_counter()
    encoded_before = embedder.texts_encoded
    report = IngestReport()
    with index_lock(config, wait):
        if rebuild:
            store.drop()
        check_settings(store, config)
        indexed, repaired = reconcile(store)
        found = scan(config.corpus_dir, paths)
        report.failed.extend(found.failed)
        pending = _plan(found.candidates, indexed, config, report, progress)
        # A file that no longer loads leaves the index with its stale chunks.
        seen = {c.doc_id for c in found.candidates} - {f.source for f in report.failed}
        gone = [d for doc_id, d in indexed.items() if found.owns(doc_id) and doc_id not in seen]
        interrupted = store.generation().startswith(DIRTY)
        if pending or gone:
            store.mark_dirty()
        pending = _reuse_renamed(store, pending, gone, report)
        _chunk(pending, embedder, config, report)
        _embed_and_write(store, embedder, pending, progress)
        for doc in gone:
            store.delete_documents([doc.doc_id])
            store.delete_chunks(doc.chunk_ids())
        report.removed += len(gone)
        if interrupted or repaired or rebuild or report.added or report.updated or report.removed:
            store.commit_generation()
        report.chunks = store.count()
    report.embedded = embedder.texts_encoded - encoded_before
    report.seconds = time.perf_counter() - started
    return report


def _plan(
    candidates: Sequence[Candidate],
    indexed: dict[str, IndexedDocument],
    config: AppConfig,
    report: IngestReport,
    progress: Progress | None,
) -> list[_Pending]:
    """The new and changed files, parsed (unchanged files are only hashed)."""
    changed: list[tuple[Candidate, bytes]] = []
    for cand in candidates:
        old = indexed.get(cand.doc_id)
        try:
            check_supported(cand.path)
            data = read_bytes(cand.path, config.max_file_bytes)
        except LoadError as exc:
            report.failed.append(FailedFile(cand.doc_id, str(exc)))
            continue
        if old is not None and old.sha256 == hashlib.sha256(data).hexdigest():
            report.unchanged += 1
        else:
            changed.append((cand, data))
    pending: list[_Pending] = []
    for number, ((cand, _), parsed) in enumerate(zip(changed, _parse_all(changed), strict=True), start=1):
        if progress:
            progress("reading", number, len(changed))
        if isinstance(parsed, LoadError):
            report.failed.append(FailedFile(cand.doc_id, str(parsed)))
            continue
        source = read_source(cand.path) if parsed.url is None else None
        pending.append(_Pending(replace(parsed, url=source.url) if source else parsed, indexed.get(cand.doc_id), []))
    return pending


def _parse(data: bytes, path: Path, doc_id: str) -> Document | LoadError:
    try:
        return parse_bytes(data, path, doc_id)
    except LoadError as exc:
        return exc


def _parse_all(files: list[tuple[Candidate, bytes]]) -> Iterator[Document | LoadError]:
    """Each file parsed, in order; long PDFs and DOCX files in worker processes, one per core.

    Parsing is pure Python and holds one core, while embedding uses them all; with several large files
    the parse runs on every core. A worker that dies (a crash in a PDF library) costs only the speed-up:
    the files it had not returned are parsed here.
    """
    heavy = sum(len(data) for cand, data in files if cand.path.suffix.lower() in PARALLEL_FORMATS)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = min(cores, len(files))
    if workers < 2 or heavy < PARALLEL_BYTES:
        yield from (_parse(data, cand.path, cand.doc_id) for cand, data in files)
        return
    done = 0
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_parse, data, cand.path, cand.doc_id) for cand, data in files]
            for future in futures:
                result = future.result()
                done += 1
                yield result
    except BrokenProcessPool:
        yield from (_parse(data, cand.path, cand.doc_id) for cand, data in files[done:])


def _reuse_renamed(
    store: Store, pending: list[_Pending], gone: list[IndexedDocument], report: IngestReport
) -> list[_Pending]:
    """A moved or renamed file keeps its vectors: copy its chunks under the new name, embed nothing."""
    by_sha = {d.sha256: d for d in gone}
    rest = []
    for item in pending:
        old = by_sha.pop(item.doc.sha256, None) if item.old is None else None
        if old is None:
            rest.append(item)
            continue
        entry = document_entry(item.doc, old.chunks)
        store.copy_chunks(old, entry)
        store.put_document(entry)
        report.added += 1
    return rest


def _chunk(pending: list[_Pending], embedder: Embedder, config: AppConfig, report: IngestReport) -> None:
    for item in list(pending):
        try:
            item.chunks = chunk_document(item.doc, embedder, config.chunk_tokens, config.chunk_overlap_tokens)
        except LoadError as exc:
            report.failed.append(FailedFile(item.doc.doc_id, str(exc)))
            pending.remove(item)
            continue
        if item.old is None:
            report.added += 1
        else:
            report.updated += 1


def _embed_and_write(store: Store, embedder: Embedder, pending: list[_Pending], progress: Progress | None) -> None:
    chunks = [c for item in pending for c in item.chunks]
    if not chunks:
        return
    vectors = np.empty((len(chunks), embedder.dimension), dtype=np.float32)
    ends = np.cumsum([len(item.chunks) for item in pending])
    written = 0
    for start in range(0, len(chunks), ENCODE_SLICE):
        stop = min(start + ENCODE_SLICE, len(chunks))
        vectors[start:stop] = embedder.encode([c.text for c in chunks[start:stop]])
        if progress:
            progress("embedding", stop, len(chunks))
        while written < len(pending) and ends[written] <= stop:
            first = int(ends[written]) - len(pending[written].chunks)
            _write(store, pending[written], vectors[first : int(ends[written])])
            written += 1


def _write(store: Store, item: _Pending, vectors: np.ndarray) -> None:
    # Order matters for crash safety: new chunks, then the manifest entry, then old chunks.
    store.add_chunks(item.chunks, vectors)
    store.put_document(document_entry(item.doc, len(item.chunks)))
    if item.old is not None and item.old.sha256 != item.doc.sha256:
        store.delete_chunks(item.old.chunk_ids())


def document_entry(doc: Document, chunks: int) -> IndexedDocument:
    """The manifest record of a document indexed now with this many chunks."""
    return IndexedDocument(
        doc_id=doc.doc_id,
        title=doc.title,
        date=doc.date,
        format=doc.format,
        sha256=doc.sha256,
        source=doc.source,
        chunks=chunks,
        indexed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        url=doc.url,
    )
