"""The `clusterqa ingest` and `sources` commands, run for real in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import clusterqa_env, run_cli

REPO = Path(__file__).resolve().parents[2]


def make_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "one.md").write_text("---\ntitle: One\ndate: 2024-01-15\n---\nTwenty clusters joined.\n", "utf-8")
    (folder / "two.txt").write_text("Thirty-three clusters in sixteen countries.\n", "utf-8")
    return folder


def test_ingest_json_offline_then_sources(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    netlog = tmp_path / "net.log"
    env = clusterqa_env(corpus, tmp_path / "index", netlog=netlog)
    result = run_cli("ingest", "--json", env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert set(report) == {"added", "updated", "removed", "unchanged", "failed", "chunks", "seconds"}
    assert (report["added"], report["failed"], report["chunks"]) == (2, [], 2)
    assert not netlog.exists(), f"connections were attempted: {netlog.read_text()}"

    result = run_cli("sources", "--json", env=env, cwd=REPO)
    rows = json.loads(result.stdout)
    assert [(r["doc_id"], r["title"], r["date"], r["format"], r["chunks"]) for r in rows] == [
        ("two.txt", "Two", None, "text", 1),
        ("one.md", "One", "2024-01-15", "markdown", 1),
    ]


def test_failed_file_sets_exit_code_and_human_summary(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "bad.pdf").write_bytes(b"not a pdf")
    result = run_cli("ingest", env=clusterqa_env(corpus, tmp_path / "index"), cwd=REPO)
    assert result.returncode == 1
    assert "failed: bad.pdf: not a PDF" in result.stdout
    assert "2 added, 0 updated, 0 removed, 0 unchanged, 1 failed" in result.stdout


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli(
        "ingest", "--corpus", str(tmp_path / "nope"), env=clusterqa_env(tmp_path, tmp_path / "i"), cwd=REPO
    )
    assert result.returncode == 2
    assert "does not exist" in result.stderr


@pytest.mark.timeout(180)
def test_watch_reindexes_on_change(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    env = clusterqa_env(corpus, tmp_path / "index")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", "--watch", "--json"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = json.loads(proc.stdout.readline())
        assert first["added"] == 2
        time.sleep(0.5)
        (corpus / "three.md").write_text("# Three\n\nSaraburi joined in October 2024.\n", "utf-8")
        (corpus / "two.txt").unlink()
        added = removed = 0
        while (added, removed) != (1, 1):  # the two changes may land in one pass or two
            later = json.loads(proc.stdout.readline())
            added, removed = added + later["added"], removed + later["removed"]
        assert later["chunks"] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
