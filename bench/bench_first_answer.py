"""The first answer: a one-shot `clusterqa ask --json`, and the first question to a freshly started web UI.

Run: .venv/bin/python bench/bench_first_answer.py [--repeats 7] [--answers 10]

The shipped corpus is indexed once into a temporary folder. Each repeat, side by side:
  ask        `clusterqa ask QUESTION --json` in a new process (default backend, ONNX), wall seconds
  torch      the same with CLUSTERQA_EMBED_BACKEND=torch (sentence-transformers, the reference)
  floor      `python -c "import chromadb"` plus one query embedding with the ONNX encoder, in a new process
  serve      `clusterqa serve` started anew; once it prints that it is ready, the first question through the
             `/ask` API endpoint (gradio_client), then --answers more from the same client ("same") and as many
             from a new client each ("new": a client's first request costs about 65 ms more on any server, so
             the first answer of a fresh server is compared like for like with first requests of new clients
             to the warm server). Seconds as the client waits, and as the server spent answering (total_ms).
             Every question is another one from tests/data/testset.jsonl, each repeat starting further on
Prints medians with min and max, and the ratios per repeat: ask / floor, first answer / median answer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_serve import free_port  # noqa: E402
from ingest.indexer import run_ingest  # noqa: E402
from rag.app import build_context  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLUSTERQA = str(ROOT / ".venv" / "bin" / "clusterqa")
QUESTION = "How many member clusters does the initiative have now?"
TESTSET = ROOT / "tests" / "data" / "testset.jsonl"
FLOOR = f"""
import chromadb
from rag.index.embedder import Embedder
Embedder().encode_query({QUESTION!r})
"""


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def serve_answers(env: dict[str, str], questions: list[str]) -> dict[str, list[tuple[float, float]]]:
    """(client, server) seconds of the answers through /ask by kind: first (asked as soon as a new serve is
    ready), same (later questions of that client), new (a new client's first question each)."""
    from gradio_client import Client

    def timed(client: Client, question: str) -> tuple[float, float]:
        started = time.perf_counter()
        answer = client.predict(question, api_name="/ask")
        assert answer["citations"] or answer["abstained"], answer
        return time.perf_counter() - started, answer["timings_ms"]["total_ms"] / 1000

    port = free_port()
    process = subprocess.Popen(
        [CLUSTERQA, "serve", "--port", str(port)], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "ready on http://" in line:
                break
        url = f"http://127.0.0.1:{port}/"
        client = Client(url, verbose=False)
        got: dict[str, list[tuple[float, float]]] = {"first": [timed(client, questions[0])], "same": [], "new": []}
        for same, new in zip(questions[1::2], questions[2::2], strict=True):
            got["same"].append(timed(client, same))
            got["new"].append(timed(Client(url, verbose=False), new))
        return got
    finally:
        process.terminate()
        process.wait(timeout=30)


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--answers", type=int, default=10, help="questions after the first, per serve")
    args = parser.parse_args()
    force_offline()
    testset = [json.loads(line)["question"] for line in TESTSET.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        shutil.copytree(ROOT / "corpus", tmp / "corpus")
        config = AppConfig(corpus_dir=tmp / "corpus", index_dir=tmp / "index")
        ctx = build_context(config, Embedder())
        run_ingest(config, ctx.store, ctx.embedder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERQA_")}
        env.update(CLUSTERQA_CORPUS_DIR=str(config.corpus_dir), CLUSTERQA_INDEX_DIR=str(config.index_dir))
        env.update(ANONYMIZED_TELEMETRY="False", GRADIO_ANALYTICS_ENABLED="False")
        runs: dict[str, list[float]] = {}
        for repeat in range(args.repeats):
            runs.setdefault("ask", []).append(wall([CLUSTERQA, "ask", QUESTION, "--json"], env))
            runs.setdefault("floor", []).append(wall([sys.executable, "-c", FLOOR], env))
            torch_env = {**env, "CLUSTERQA_EMBED_BACKEND": "torch"}
            runs.setdefault("torch", []).append(wall([CLUSTERQA, "ask", QUESTION, "--json"], torch_env))
            start = repeat * (2 * args.answers + 1)
            asked = [testset[(start + n) % len(testset)] for n in range(2 * args.answers + 1)]
            for kind, answers in serve_answers(env, asked).items():
                for n, side in enumerate(("", " server")):
                    runs.setdefault(kind + side, []).append(statistics.median(a[n] for a in answers))
            print(f"repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in runs.items()), flush=True)

    def ratio(a: str, b: str) -> list[float]:
        return [x / y for x, y in zip(runs[a], runs[b], strict=True)]

    print(f"shipped corpus, {args.repeats} repeats; medians (min, max)")
    print(f"one-shot ask --json (onnx), s:         {spread(runs['ask'])}")
    print(f"one-shot ask --json (torch), s:        {spread(runs['torch'])}")
    print(f"floor: import chromadb + 1 embedding, s: {spread(runs['floor'])}")
    print(f"ratio ask (onnx) / floor:              {spread(ratio('ask', 'floor'))}")
    print(f"ratio ask (torch) / ask (onnx):        {spread(ratio('torch', 'ask'))}")
    for side in ("", " server"):
        print(f"web UI{side or ' client'} side, s: first answer after ready {spread(runs['first' + side], 3)}")
        print(f"  median of {args.answers} later answers, same client  {spread(runs['same' + side], 3)}")
        print(f"  median of {args.answers} new clients' first answers  {spread(runs['new' + side], 3)}")
        print(f"  ratio first / new clients' median:       {spread(ratio('first' + side, 'new' + side))}")
        print(f"  ratio first / same client's median:      {spread(ratio('first' + side, 'same' + side))}")


if __name__ == "__main__":
    main()
