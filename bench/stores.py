"""Indexes of generated corpora at given sizes, built once and kept in a work folder for the benchmarks.

Used by bench_query_scale.py and bench_serve.py; not run directly.

Sizes up to REAL_SIZE are a real `run_ingest` of a generated corpus (bench/corpus_gen.py). Larger
sizes are filled through the Store API without running the model: their documents are generated,
parsed and chunked exactly as an ingest would, written with their manifest entries and BM25
index; a chunk that also exists in the real index (same document, same text) gets its real
vector, every other chunk a copy of a real vector (cycled) with Gaussian noise (cosine about 0.9
to it), renormalised. Both the dense and the BM25 path therefore see every chunk.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus_gen import generate  # noqa: E402
from ingest.chunker import chunk_document  # noqa: E402
from ingest.indexer import check_settings, document_entry, index_lock, run_ingest  # noqa: E402
from ingest.loaders import parse_bytes  # noqa: E402
from rag.app import AppContext, build_context  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.index.embedder import Embedder  # noqa: E402
from rag.types import Chunk, IndexedDocument  # noqa: E402

PER_DOCUMENT = 20
REAL_SIZE = 1000  # larger indexes take their vectors from this one
NOISE = 0.025  # per dimension: a noise vector of norm about 0.49, cosine about 0.9 to its base
WRITE_DOCUMENTS = 200  # documents chunked and written per batch


def paths(workdir: Path, size: int) -> tuple[Path, Path]:
    """(corpus folder, index folder) of the index of about `size` chunks."""
    return workdir / f"{size}" / "corpus", workdir / f"{size}" / "index"


def open_store(workdir: Path, size: int, embedder: Embedder) -> AppContext:
    corpus, index = paths(workdir, size)
    return build_context(AppConfig(corpus_dir=corpus, index_dir=index), embedder)


def ensure(workdir: Path, sizes: list[int], embedder: Embedder) -> None:
    """Build the indexes of the given sizes (and REAL_SIZE) that the work folder does not hold yet."""
    for size in sorted({REAL_SIZE, *sizes}):
        ready = paths(workdir, size)[1] / "ready"
        if ready.exists():
            continue
        ctx = open_store(workdir, size, embedder)
        generate(ctx.config.corpus_dir, -(-size // PER_DOCUMENT), PER_DOCUMENT)
        print(f"building the index of {size} chunks in {ctx.config.index_dir}", file=sys.stderr, flush=True)
        if size <= REAL_SIZE:
            report = run_ingest(ctx.config, ctx.store, ctx.embedder)
            assert not report.failed, report.failed
        else:
            fill(ctx, real_vectors(open_store(workdir, REAL_SIZE, embedder)))
        ready.write_text(f"{ctx.store.count()} chunks\n", encoding="utf-8")


def real_vectors(ctx: AppContext) -> dict[str, np.ndarray[Any, Any]]:
    return ctx.store.vectors()


def fill(ctx: AppContext, real: dict[str, np.ndarray[Any, Any]]) -> None:
    """Chunk every document of the corpus and write it with real or perturbed vectors, no model run.

    Chunks and manifest entries are written WRITE_DOCUMENTS documents at a time: a Chroma write costs
    about as much for one document as for hundreds.
    """
    base = np.stack(list(real.values()))
    rng = np.random.default_rng(0)
    files = sorted(ctx.config.corpus_dir.glob("*.md"))
    written = 0
    with index_lock(ctx.config):
        check_settings(ctx.store, ctx.config)
        ctx.store.mark_dirty()
        for start in range(0, len(files), WRITE_DOCUMENTS):
            chunks: list[Chunk] = []
            entries: list[IndexedDocument] = []
            for path in files[start : start + WRITE_DOCUMENTS]:
                doc = parse_bytes(path.read_bytes(), path, path.name)
                found = chunk_document(doc, ctx.embedder, ctx.config.chunk_tokens, ctx.config.chunk_overlap_tokens)
                chunks += found
                entries.append(document_entry(doc, len(found)))
            ctx.store.add_chunks(chunks, vectors(chunks, real, base, written, rng))
            ctx.store.put_documents(entries)
            written += len(chunks)
            print(f"  {written} chunks written", file=sys.stderr, flush=True)
        ctx.store.commit_generation()


def vectors(
    chunks: list[Chunk],
    real: dict[str, np.ndarray[Any, Any]],
    base: np.ndarray[Any, Any],
    offset: int,
    rng: np.random.Generator,
) -> np.ndarray[Any, Any]:
    rows = np.empty((len(chunks), base.shape[1]), dtype=np.float32)
    for n, chunk in enumerate(chunks):
        if chunk.id in real:
            rows[n] = real[chunk.id]
        else:
            row = base[(offset + n) % len(base)] + rng.normal(0.0, NOISE, base.shape[1])
            rows[n] = row / np.linalg.norm(row)
    return rows
