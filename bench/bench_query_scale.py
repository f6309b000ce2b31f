"""Query latency of `Assistant.answer` (extractive) against its floor at 1k, 10k and 100k chunks.

Run: .venv/bin/python bench/bench_query_scale.py [--sizes 1000 10000 100000] [--repeats 3]
                                                  [--backend onnx|torch]
                                                  [--workdir /tmp/clusterqa-bench]

The indexes are generated corpora built once in the work folder (see bench/stores.py: the smallest
is a real ingest, the larger ones are written through the Store API with vectors computed without
the model). Per size, the questions of tests/data/testset.jsonl are asked in turn, the floor (one
query embedding + one query of the Chroma collection, k passages, on a handle looked up once) and
the answer interleaved, so machine load hits
both alike. Prints, per size, the first answer (loads the BM25 index), median and p95 of each, and
the ratio of the medians per repeat (median and spread over the repeats).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stores  # noqa: E402
from bench.bench_query import time_questions  # noqa: E402
from rag.eval.metrics import percentile  # noqa: E402
from rag.eval.testset import load_testset  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/clusterqa-bench"))
    parser.add_argument("--backend", choices=["onnx", "torch"], default="onnx", help="the embedder's backend")
    args = parser.parse_args()
    force_offline()
    embedder = Embedder(backend=args.backend)
    stores.ensure(args.workdir, args.sizes, embedder)
    questions = [q.question for q in load_testset(Path("tests/data/testset.jsonl"))]
    embedder.encode(["warm up the model and its kernels"])
    print(f"{len(questions)} questions x {args.repeats} repeats per size, {args.backend}")
    print("| chunks | first answer ms | answer median ms | answer p95 ms | floor median ms | floor p95 ms | ratio |")
    for size in args.sizes:
        ctx = stores.open_store(args.workdir, size, embedder)
        assistant = ctx.assistant
        started = time.perf_counter()
        assistant.answer(questions[0])  # opens the collections, loads the BM25 index
        first = (time.perf_counter() - started) * 1000
        collection = ctx.store.client.get_collection(ctx.config.collection)  # the floor's handle, looked up once
        answers, floors, ratios = time_questions(assistant, collection, questions, args.repeats)
        print(
            f"| {ctx.store.count()} | {first:.0f} | {percentile(answers, 50):.1f} | {percentile(answers, 95):.1f} "
            f"| {percentile(floors, 50):.1f} | {percentile(floors, 95):.1f} "
            f"| {statistics.median(ratios):.2f} ({min(ratios):.2f} to {max(ratios):.2f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
