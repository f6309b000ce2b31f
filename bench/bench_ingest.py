"""Ingest throughput against its floor, and the cost of a no-change re-run.

Run: .venv/bin/python bench/bench_ingest.py [--corpus corpus] [--repeats 5]

Each repeat, side by side in one process with the model already loaded:
  full    `run_ingest` of the corpus into a new, empty index (load, chunk, embed, write to Chroma)
  floor   SentenceTransformer.encode of the same chunk texts (its default batch size)
  rerun   `run_ingest` again with nothing changed
Prints medians with min-max and the ratios; figures go to BENCHMARKS.md.
With --batch-sweep it also times the encoder at several batch sizes on the same texts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.indexer import run_ingest  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.embedder import Embedder, force_offline  # noqa: E402
from ui.context import build_context  # noqa: E402


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-sweep", action="store_true")
    args = parser.parse_args()
    force_offline()
    embedder = Embedder()
    embedder.encode(["warm up the model and its kernels"])
    full, floor, rerun, rates, floor_rates = [], [], [], [], []
    chunks = 0
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            index = Path(tmp) / f"index-{repeat}"
            ctx = build_context(AppConfig(corpus_dir=args.corpus, index_dir=index), embedder)
            report = run_ingest(ctx.config, ctx.store, ctx.embedder)
            assert not report.failed, report.failed
            chunks = report.chunks
            full.append(report.seconds)
            texts = [text for _, text, _ in ctx.store.get_chunks()]
            started = time.perf_counter()
            embedder.model.encode(texts, normalize_embeddings=True)
            floor.append(time.perf_counter() - started)
            rerun.append(run_ingest(ctx.config, ctx.store, ctx.embedder).seconds)
            rates.append(chunks / full[-1])
            floor_rates.append(chunks / floor[-1])
            shutil.rmtree(index)
    ratio = [r / f for r, f in zip(rates, floor_rates, strict=True)]
    share = [r / f for r, f in zip(rerun, full, strict=True)]
    print(f"corpus: {args.corpus} ({chunks} chunks), {args.repeats} repeats")
    print(f"full ingest, chunks/s:        {spread(rates)}")
    print(f"raw encode (floor), chunks/s: {spread(floor_rates)}")
    print(f"ratio ingest/floor:           {spread(ratio)}")
    print(f"no-change re-run, s:          {spread(rerun)}")
    print(f"re-run / full ingest:         {spread(share)}")
    if args.batch_sweep:
        sweep(embedder, texts, args.repeats)


def sweep(embedder: Embedder, texts: list[str], repeats: int) -> None:
    sizes = (4, 8, 16, 32, 64, 128)
    rates: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(repeats):
        for size in sizes:  # interleaved, so drift in machine load hits every size alike
            started = time.perf_counter()
            embedder.model.encode(texts, batch_size=size, normalize_embeddings=True)
            rates[size].append(len(texts) / (time.perf_counter() - started))
    for size in sizes:
        print(f"encode batch {size:3}, chunks/s:   {spread(rates[size])}")


if __name__ == "__main__":
    main()
