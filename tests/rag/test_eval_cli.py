"""`clusterqa eval` on the shipped corpus and test set: the quality gate CI runs."""

from __future__ import annotations

import json
from pathlib import Path

from rag.answering.assistant import Assistant
from tests.support.cli import clusterqa_env, run_cli

REPO = Path(__file__).resolve().parents[2]
TESTSET = REPO / "tests" / "data" / "testset.jsonl"
# What the current system meets (README, "Evaluation"); a change that makes answers worse fails CI.
# Set for the general answerer of issue 12, fitted on real documents instead of this corpus: at its ninth
# round it measures key_fact_recall 0.65, abstention_recall 0.15 and precision 0.29 (the answerer written
# for this corpus had 0.5+ and 0.7+), wrong abstentions 0.10 here (README.md, "Evaluation"; BENCHMARKS.md,
# "Answers on real documents", has the reasons).
GATE = [
    "hit@5=0.95",
    "ndcg@10=0.8",
    "key_fact_recall=0.62",
    "citation_recall=0.9",
    "abstention_recall=0.15",
    "abstention_precision=0.2",
    "wrong_abstention_rate<=0.15",
]


def test_eval_meets_the_quality_gate_and_writes_the_report(assistant: Assistant, tmp_path: Path) -> None:
    env = clusterqa_env(assistant.config.corpus_dir, assistant.config.index_dir)
    out = tmp_path / "report"
    args = ["eval", "--testset", str(TESTSET), "--out", str(out), "--json"]
    result = run_cli(*args, *[f"--min={m}" for m in GATE], env=env, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = json.loads(result.stdout)
    assert printed["failures"] == []
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert len(results["questions"]) == sum(1 for line in TESTSET.read_text("utf-8").splitlines() if line.strip())
    assert set(results["by_type"]) == {"fact", "number", "list", "temporal", "comparison", "follow-up", "unanswerable"}
    for name in ("report.md", "report.html", "metrics_by_type.png", "latency.png"):
        assert (out / name).stat().st_size > 0
    report = (out / "report.md").read_text("utf-8")
    failed = [q["id"] for q in results["questions"] if not q["passed"]]
    if failed:
        assert report.index(failed[0]) < report.index(next(q["id"] for q in results["questions"] if q["passed"]))

    # Compared with that baseline, and with an impossible minimum: exit code 1 (a few questions suffice).
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join(TESTSET.read_text("utf-8").splitlines()[:5]) + "\n", "utf-8")
    again = run_cli(
        "eval",
        "--testset",
        str(few),
        "--out",
        str(tmp_path / "again"),
        "--baseline",
        str(out / "results.json"),
        "--min",
        "passed=1.01",
        env=env,
        cwd=REPO,
    )
    assert again.returncode == 1
    assert "below threshold: passed" in again.stdout
    assert (tmp_path / "again" / "deltas.png").exists()


def test_eval_refuses_a_bad_threshold_before_running(assistant: Assistant, tmp_path: Path) -> None:
    env = clusterqa_env(assistant.config.corpus_dir, assistant.config.index_dir)
    result = run_cli(
        "eval", "--testset", str(TESTSET), "--out", str(tmp_path), "--min", "hitt@5=0.9", env=env, cwd=REPO
    )
    assert result.returncode == 2
    assert "unknown metric 'hitt@5'" in result.stderr
