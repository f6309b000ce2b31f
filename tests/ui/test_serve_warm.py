"""`clusterqa serve` says it is ready only once warm: model loaded, BM25 read, one question answered."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest.indexer import run_ingest
from tests.support.cli import clusterqa_env
from tests.support.ports import free_port, stop

gradio_client = pytest.importorskip("gradio_client")
REPO = Path(__file__).resolve().parents[2]
# `clusterqa serve`, announcing on stderr each text encoding and each BM25 index read from disk.
TRACED_SERVE = """
import sys
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
encode, load = Embedder.encode, LexicalIndex.load.__func__
def traced_encode(self, texts):
    print("model encode", file=sys.stderr, flush=True)
    return encode(self, texts)
def traced_load(cls, folder):
    print("bm25 load", file=sys.stderr, flush=True)
    return load(cls, folder)
Embedder.encode = traced_encode
LexicalIndex.load = classmethod(traced_load)
from ui.cli import main
sys.exit(main(["serve", "--port", sys.argv[1]]))
"""


def test_serve_is_warm_when_it_says_ready(tmp_path: Path, make_context: Any) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    ctx = make_context(corpus, tmp_path / "index")
    run_ingest(ctx.config, ctx.store, ctx.embedder)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", TRACED_SERVE, str(port)],
        cwd=REPO,
        env=clusterqa_env(corpus, tmp_path / "index"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        before: list[str] = []
        for line in process.stderr:
            if "ready on http://" in line:
                break
            before.append(line.strip())
        assert process.poll() is None, before
        assert "model encode" in before and "bm25 load" in before, before
        answer = gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            "Which cluster became the 21st member?", api_name="/ask"
        )
        assert "Saraburi" in answer["answer"]
    finally:
        stop(process)
        after = process.stderr.read() if process.stderr else ""
    # The question's own embedding, then one batch of its candidate sentences the answerer has not seen yet.
    assert after.count("model encode") == 2, after
    assert "bm25 load" not in after, after  # the index read at warm-up serves the first question
