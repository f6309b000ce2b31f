"""Query latency of `Assistant.answer` (extractive) against its floor, on the shipped corpus.

Run: .venv/bin/python bench/bench_query.py [--corpus corpus] [--repeats 5] [--backend onnx|torch]

Floor: one query embedding plus one Chroma query (k passages), per question, side by side in the
same process over the questions of tests/data/testset.jsonl. Prints median and p95 of each and
the ratio of the medians per repeat (median and spread over the repeats).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.indexer import run_ingest  # noqa: E402
from rag.answering.assistant import Assistant  # noqa: E402
from rag.app import build_context  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.eval.metrics import percentile  # noqa: E402
from rag.eval.testset import load_testset  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402


def time_questions(
    assistant: Assistant, collection: Any, questions: list[str], repeats: int
) -> tuple[list[float], list[float], list[float]]:
    """Answer and floor times in ms, interleaved so machine load hits both alike; the ratio of medians per repeat."""
    ratios, answers, floors = [], [], []
    for _ in range(repeats):
        answer_ms, floor_ms = [], []
        for question in questions:
            started = time.perf_counter()
            vector = assistant.embedder.encode_query(question)
            collection.query(query_embeddings=[vector], n_results=assistant.config.k)
            floor_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assistant.answer(question)
            answer_ms.append((time.perf_counter() - started) * 1000)
        ratios.append(statistics.median(answer_ms) / statistics.median(floor_ms))
        answers += answer_ms
        floors += floor_ms
    return answers, floors, ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backend", choices=["onnx", "torch"], default="onnx", help="the embedder's backend")
    args = parser.parse_args()
    force_offline()
    questions = [q.question for q in load_testset(Path("tests/data/testset.jsonl"))]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(AppConfig(corpus_dir=args.corpus, index_dir=Path(tmp)), Embedder(backend=args.backend))
        run_ingest(ctx.config, ctx.store, ctx.embedder)
        assistant = ctx.assistant
        assistant.answer(questions[0])  # warm: model, collections, BM25
        collection = ctx.store.client.get_collection(ctx.config.collection)  # the floor's handle, looked up once
        answers, floors, ratios = time_questions(assistant, collection, questions, args.repeats)
    print(f"{len(questions)} questions x {args.repeats} repeats, {ctx.store.count()} chunks, {args.backend}")
    print(f"answer ms: median {percentile(answers, 50):.1f}, p95 {percentile(answers, 95):.1f}")
    print(f"floor ms:  median {percentile(floors, 50):.1f}, p95 {percentile(floors, 95):.1f}")
    print(f"median ratio answer/floor: {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
