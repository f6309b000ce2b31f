"""Search mode: `clusterqa search` (text and --json) and `rag.search` list ranked passages and make no answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answering.assistant import Assistant
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]


def test_search_json_lists_ranked_passages(env: dict[str, str]) -> None:
    result = run_cli("search", "Saraburi cement cluster", "--json", "--k", "4", env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)
    assert len(passages) == 4
    assert set(passages[0]) == {
        "document",
        "doc_id",
        "chunk_id",
        "date",
        "page",
        "page_label",
        "section",
        "score",
        "text",
    }
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert "Saraburi" in passages[0]["text"]


def test_search_prints_numbered_passages_and_honours_filters(env: dict[str, str]) -> None:
    result = run_cli("search", "new member clusters", "--k", "3", "--since", "2025", env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. ") and "\n2. " in result.stdout and "\n4. " not in result.stdout
    dates = [line.split("(", 1)[1][:4] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert dates and all(d >= "2025" for d in dates), result.stdout
    only = run_cli("search", "members", "--doc", "2024-10-saraburi-joins.md", "--json", env=env, cwd=REPO)
    assert {p["doc_id"] for p in json.loads(only.stdout)} == {"2024-10-saraburi-joins.md"}


def test_search_rejects_an_empty_query_and_a_bad_k(env: dict[str, str]) -> None:
    assert run_cli("search", "  ", env=env, cwd=REPO).returncode != 0
    assert "--k must be" in run_cli("search", "x", "--k", "0", env=env, cwd=REPO).stderr


def test_rag_search_uses_the_environment_settings(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag

    monkeypatch.setenv("CLUSTERQA_CORPUS_DIR", str(assistant.config.corpus_dir))
    monkeypatch.setenv("CLUSTERQA_INDEX_DIR", str(assistant.config.index_dir))
    rag.default_context.cache_clear()
    try:
        found = rag.search("Which cluster became the 21st member?", k=2)
    finally:
        rag.default_context.cache_clear()
    assert len(found) == 2 and any("Saraburi" in p.text for p in found)
