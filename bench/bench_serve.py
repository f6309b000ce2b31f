"""Start-up time and peak memory of `clusterqa serve`, and peak memory of `clusterqa ingest`.

Run: .venv/bin/python bench/bench_serve.py [--size 10000] [--repeats 3] [--ingest-chunks 2000]
                                           [--workdir /tmp/clusterqa-bench]

Each repeat, side by side:
  serve     `clusterqa serve` on the index of --size chunks (bench/stores.py, built once in the
            work folder): seconds from launch to HTTP 200 on `/`; then three questions through
            the `/ask` API endpoint (gradio_client); peak resident memory (VmHWM) after them
  bare      the floor of start-up: a one-textbox gradio app launched with the same options
  model     the floor of memory: a process that loads the model and embeds one question
Once: `clusterqa ingest` of a generated corpus of --ingest-chunks chunks into a new index, peak
resident memory of that process. Targets: start-up under 10 s, each peak under 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stores  # noqa: E402
from bench.corpus_gen import generate  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLUSTERQA = str(ROOT / ".venv" / "bin" / "clusterqa")
QUESTIONS = (
    "How many member clusters does the initiative have now?",
    "What is the emissions reduction potential of the network?",
    "Which clusters joined in January 2023?",
)
BARE_APP = """
import sys, gradio as gr
with gr.Blocks() as demo:
    gr.Textbox()
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), ssr_mode=False, quiet=True)
"""
MODEL_FLOOR = """
from rag.index.embedder import Embedder
Embedder().encode_query("How many member clusters does the initiative have now?")
"""
GB = 1024**3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_bytes(pid: int) -> int:
    """VmHWM of a running process: its peak resident memory so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def wait_for_page(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def served(command: list[str], port: int, env: dict[str, str], then: Callable[[str], None]) -> tuple[float, int]:
    """(seconds to HTTP 200 on /, peak bytes after `then(url)`) of a server process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_page(url, process)
        seconds = time.perf_counter() - started
        then(url)
        return seconds, peak_bytes(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def ask(url: str) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    for question in QUESTIONS:
        answer = client.predict(question, "", "", [], api_name="/ask")
        assert "answer" in answer, answer


def child_peak(command: list[str], env: dict[str, str]) -> int:
    """Peak resident bytes of a child process run to completion."""
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, f"{command} exited with {process.returncode}"
    return int(usage.ru_maxrss) * 1024


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ingest-chunks", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/clusterqa-bench"))
    args = parser.parse_args()
    force_offline()
    stores.ensure(args.workdir, [args.size], Embedder())
    corpus, index = stores.paths(args.workdir, args.size)
    env = {**os.environ, "CLUSTERQA_CORPUS_DIR": str(corpus), "CLUSTERQA_INDEX_DIR": str(index)}
    env.update(ANONYMIZED_TELEMETRY="False", GRADIO_ANALYTICS_ENABLED="False")
    runs: dict[str, list[float]] = {"serve s": [], "bare s": [], "serve GB": [], "model GB": []}
    for _ in range(args.repeats):
        port = free_port()
        seconds, peak = served([CLUSTERQA, "serve", "--port", str(port)], port, env, ask)
        runs["serve s"].append(seconds)
        runs["serve GB"].append(peak / GB)
        port = free_port()
        seconds, _ = served([sys.executable, "-c", BARE_APP, str(port)], port, env, lambda _: None)
        runs["bare s"].append(seconds)
        runs["model GB"].append(child_peak([sys.executable, "-c", MODEL_FLOOR], env) / GB)
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "corpus", -(-args.ingest_chunks // stores.PER_DOCUMENT), stores.PER_DOCUMENT)
        ingest_env = {**env, "CLUSTERQA_CORPUS_DIR": f"{tmp}/corpus", "CLUSTERQA_INDEX_DIR": f"{tmp}/index"}
        ingest_gb = child_peak([CLUSTERQA, "ingest"], ingest_env) / GB
    ratio = [s / b for s, b in zip(runs["serve s"], runs["bare s"], strict=True)]
    memory = [s / m for s, m in zip(runs["serve GB"], runs["model GB"], strict=True)]
    print(f"index: {index} ({args.size} chunks asked), {args.repeats} repeats")
    print(f"serve start-up to HTTP 200, s:      {spread(runs['serve s'])}")
    print(f"bare gradio app start-up, s:        {spread(runs['bare s'])}")
    print(f"ratio serve/bare start-up:          {spread(ratio)}")
    print(f"serve peak RSS after questions, GB: {spread(runs['serve GB'])}")
    print(f"model-only process peak RSS, GB:    {spread(runs['model GB'])}")
    print(f"ratio serve/model-only memory:      {spread(memory)}")
    print(f"ingest of {args.ingest_chunks} chunks, peak RSS, GB: {ingest_gb:.2f}")


if __name__ == "__main__":
    main()
