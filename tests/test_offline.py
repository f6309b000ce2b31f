"""Every command works with the network cut off and tries no connection beyond loopback.

`clusterqa ingest` is checked in tests/ingest/test_cli.py and `serve` in tests/ui/test_browser.py;
here `sources`, `ask` and `eval` run as real subprocesses under the netguard, which logs and refuses
any connection or name lookup that would leave the machine. The test's own offline settings are
removed from their environment: the product has to stay offline by itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.indexer import run_ingest
from rag.app import build_context
from rag.config import AppConfig
from rag.index.embedder import Embedder
from tests.support.cli import clusterqa_env, run_cli

REPO = Path(__file__).resolve().parent.parent
OFFLINE_SETTINGS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "ANONYMIZED_TELEMETRY")
QUESTIONS = [
    {
        "id": "fact-members",
        "question": "How many clusters joined the initiative in January 2024?",
        "reference_answer": "Twenty clusters had joined by January 2024.",
        "expected_sources": ["members.md"],
        "answerable": True,
        "type": "fact",
        "key_facts": ["Twenty"],
    },
    {
        "id": "unans-budget",
        "question": "What is the annual budget of the initiative?",
        "reference_answer": "The documents do not say.",
        "expected_sources": [],
        "answerable": False,
        "type": "unanswerable",
        "key_facts": [],
    },
]


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[dict[str, str], Path]:
    """A tiny indexed corpus and the environment of a guarded, un-primed subprocess."""
    root = tmp_path_factory.mktemp("offline")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "members.md").write_text(
        "---\ntitle: Members\ndate: 2024-01-15\n---\n# Members\n\nTwenty clusters had joined the initiative by"
        " January 2024. They work on hydrogen and carbon capture.\n",
        "utf-8",
    )
    (corpus / "ports.txt").write_text("The port of Rotterdam plans a carbon storage site under the North Sea.\n")
    ctx = build_context(AppConfig(corpus_dir=corpus, index_dir=root / "index"), embedder)
    assert not run_ingest(ctx.config, ctx.store, ctx.embedder).failed
    env = clusterqa_env(corpus, root / "index", netlog=root / "net.log")
    for name in OFFLINE_SETTINGS:
        env.pop(name, None)
    return env, root


def run_guarded(env: dict[str, str], root: Path, *args: str) -> str:
    netlog = Path(env["NETGUARD_LOG"])
    netlog.unlink(missing_ok=True)
    result = run_cli(*args, env=env, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not netlog.exists(), f"`clusterqa {' '.join(args)}` tried to connect: {netlog.read_text()}"
    assert "network access is blocked" not in result.stderr
    return result.stdout


def test_netguard_is_active_in_the_subprocess(offline: tuple[dict[str, str], Path]) -> None:
    """Without this the other tests would pass even if the guard never loaded."""
    env, root = offline
    probe = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError:\n    pass"
    subprocess.run([sys.executable, "-c", probe], env=env, cwd=root, check=True, timeout=60)
    assert "192.0.2.1" in Path(env["NETGUARD_LOG"]).read_text()


def test_sources_offline(offline: tuple[dict[str, str], Path]) -> None:
    rows = json.loads(run_guarded(*offline, "sources", "--json"))
    assert sorted(r["doc_id"] for r in rows) == ["members.md", "ports.txt"]


def test_ask_offline(offline: tuple[dict[str, str], Path]) -> None:
    answer = json.loads(run_guarded(*offline, "ask", "How many clusters had joined by January 2024?", "--json"))
    assert answer["mode"] == "extractive" and not answer["abstained"]
    assert "Twenty" in answer["answer"] and answer["citations"][0]["doc_id"] == "members.md"


def test_eval_offline(offline: tuple[dict[str, str], Path]) -> None:
    env, root = offline
    testset = root / "testset.jsonl"
    testset.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), "utf-8")
    out = root / "report"
    printed = json.loads(run_guarded(env, root, "eval", "--testset", str(testset), "--out", str(out), "--json"))
    assert printed["summary"]["questions"] == len(QUESTIONS)
    assert (out / "report.html").stat().st_size > 0 and (out / "results.json").exists()
