"""`clusterqa ask` for one question (text and --json), the terminal chat, and `rag.answer`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.answering.assistant import Assistant
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]


def test_ask_json_has_the_documented_shape(env: dict[str, str]) -> None:
    result = run_cli("ask", "Which cluster became the 21st member?", "--json", "--k", "5", env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"question", "answer", "abstained", "mode", "citations", "timings_ms"} <= set(answer)
    assert answer["mode"] == "extractive" and not answer["abstained"]
    assert "Saraburi" in answer["answer"]
    citation = answer["citations"][0]
    assert set(citation) == {
        "n",
        "doc_id",
        "chunk_id",
        "title",
        "source",
        "url",
        "page",
        "page_label",
        "ocr",
        "section",
        "date",
        "text",
        "quote",
        "score",
    }
    assert citation["quote"] in " ".join(citation["text"].split())
    assert citation["url"] is None  # a file of the corpus, not added by address
    assert "total_ms" in answer["timings_ms"]


def test_ask_prints_the_answer_with_a_numbered_source_list(env: dict[str, str]) -> None:
    result = run_cli("ask", "How much does it cost a cluster to join?", env=env, cwd=REPO)
    assert result.returncode == 0
    assert "do not answer this question" in result.stdout
    assert "Nearest sources" in result.stdout
    result = run_cli(
        "ask",
        "Who heads the Forum's centre for energy, materials and infrastructure?",
        "--since",
        "2024-01",
        "--until",
        "2024-01",
        env=env,
        cwd=REPO,
    )
    assert "Roberto Bocca" in result.stdout and "Sources:" in result.stdout
    assert "[1] Transitioning Industrial Clusters towards Net Zero: Progress Briefing" in result.stdout


def test_ask_rejects_bad_dates(env: dict[str, str]) -> None:
    result = run_cli("ask", "anything", "--since", "someday", env=env, cwd=REPO)
    assert result.returncode == 2 and "not a date" in result.stderr


def test_terminal_chat_resolves_follow_ups(env: dict[str, str]) -> None:
    chat = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ask"],
        input="Which clusters joined in January 2024?\nAnd which one is in France?\n\n",
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert chat.returncode == 0, chat.stderr
    parts = chat.stdout.split("Sources:")
    assert len(parts) == 3, chat.stdout  # two answers, each with its sources
    second_answer = parts[1].rstrip().split("\n\n")[-1]
    assert "DKarbonation (France)" in second_answer, second_answer


def test_rag_answer_uses_the_environment_settings(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag

    monkeypatch.setenv("CLUSTERQA_CORPUS_DIR", str(assistant.config.corpus_dir))
    monkeypatch.setenv("CLUSTERQA_INDEX_DIR", str(assistant.config.index_dir))
    rag.default_context.cache_clear()
    try:
        answer = rag.answer("Which cluster became the 21st member?")
    finally:
        rag.default_context.cache_clear()
    assert "Saraburi" in answer.text and answer.citations
