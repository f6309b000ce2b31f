"""Each `clusterqa` command imports only what it uses: the CLI run in-process in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HEAVY = {"torch", "transformers", "sentence_transformers", "sklearn", "gradio", "matplotlib", "llama_index"}
RUN = """
import contextlib, io, json, sys
from ui.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    result["modules"] = set(result["modules"])
    return result


def test_help_imports_neither_chroma_nor_a_model(env: dict[str, str]) -> None:
    result = cli(env, "--help")
    assert result["code"] == 0 and "ingest" in result["out"]
    assert not result["modules"] & (HEAVY | {"chromadb", "onnxruntime", "tokenizers", "numpy"})


def test_sources_opens_chroma_but_loads_no_model(env: dict[str, str]) -> None:
    result = cli(env, "sources", "--json")
    assert result["code"] == 0 and len(json.loads(result["out"])) == 9
    assert "chromadb" in result["modules"]
    assert not result["modules"] & (HEAVY | {"onnxruntime", "tokenizers"})


def test_ask_with_onnx_needs_no_torch(env: dict[str, str]) -> None:
    result = cli(env, "ask", "Which cluster became the 21st member?", "--json")
    assert result["code"] == 0 and "Saraburi" in json.loads(result["out"])["answer"]
    assert {"chromadb", "onnxruntime", "tokenizers"} <= result["modules"]
    assert not result["modules"] & HEAVY


def test_ask_with_the_torch_backend_gives_the_same_answer(env: dict[str, str]) -> None:
    onnx = json.loads(cli(env, "ask", "Which cluster became the 21st member?", "--json")["out"])
    result = cli({**env, "CLUSTERQA_EMBED_BACKEND": "torch"}, "ask", "Which cluster became the 21st member?", "--json")
    assert {"torch", "sentence_transformers"} <= result["modules"]
    torch = json.loads(result["out"])
    assert torch["answer"] == onnx["answer"]
    assert [c["chunk_id"] for c in torch["citations"]] == [c["chunk_id"] for c in onnx["citations"]]
