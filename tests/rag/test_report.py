"""The evaluation report writer, on a hand-made results dict (no model, no index)."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.eval.report import check_thresholds, compare, write_report

REPO = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
SCRIPT = "<script>alert('x')</script>"


def _answer(question: str, text: str, abstained: bool, doc_ids: list[str]) -> dict[str, Any]:
    citations = [
        {"n": n, "doc_id": d, "title": d, "date": None, "page": 1, "section": None, "quote": "q"}
        for n, d in enumerate(doc_ids, start=1)
    ]
    return {
        "question": question,
        "answer": text,
        "abstained": abstained,
        "mode": "extractive",
        "citations": citations,
        "timings_ms": {"total_ms": 50.0},
    }


def _answerable(qid: str, question: str, text: str, doc_ids: list[str], passed: bool, latency: float) -> dict[str, Any]:
    metrics = {
        "latency_ms": latency,
        "abstained": 0.0,
        "hit@5": 1.0,
        "recall@5": 1.0,
        "mrr@5": 1.0,
        "ndcg@10": 1.0,
        "key_fact_recall": 1.0 if passed else 0.0,
        "token_f1": 0.5,
        "answer_similarity": 0.8,
        "citation_recall": 1.0,
        "citation_precision": 1.0,
        "source_accuracy": 1.0 if passed else 0.0,
        "abstention_correct": 1.0,
    }
    reasons = [] if passed else ["key facts missing: 626 million", "no expected source among the citations"]
    return {
        "id": qid,
        "type": "fact",
        "question": question,
        "answerable": True,
        "answer": _answer(question, text, False, doc_ids),
        "metrics": metrics,
        "passed": passed,
        "reasons": reasons,
    }


def _unanswerable(qid: str, question: str, latency: float) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "unanswerable",
        "question": question,
        "answerable": False,
        "answer": _answer(question, "The indexed documents do not answer this question.", True, []),
        "metrics": {"latency_ms": latency, "abstained": 1.0, "abstention_correct": 1.0},
        "passed": True,
        "reasons": [],
    }


def _summary(passed: float, hit: float, p95: float) -> dict[str, float]:
    return {
        "questions": 4.0,
        "passed": passed,
        "answer_similarity": 0.8,
        "citation_precision": 1.0,
        "citation_recall": 1.0,
        "hit@5": hit,
        "key_fact_recall": 0.5,
        "mrr@5": 1.0,
        "ndcg@10": 1.0,
        "recall@5": 1.0,
        "source_accuracy": 0.5,
        "token_f1": 0.5,
        "abstention_precision": 1.0,
        "abstention_recall": 1.0,
        "wrong_abstention_rate": 0.0,
        "latency_median_ms": 55.0,
        "latency_p95_ms": p95,
    }


@pytest.fixture
def result() -> dict[str, Any]:
    questions = [
        _answerable("fact-ok", f"What does {SCRIPT} say?", "It says <b>hello</b> & more. [1]", ["a.pdf"], True, 50),
        _answerable("fact-bad", "How much CO2 do the clusters cut?", "Some amount. [1]", ["b.md", "b.md"], False, 60),
        _unanswerable("unans-one", "What is the budget?", 40),
        _unanswerable("unans-two", "Who is the CEO?", 70),
    ]
    fact = _summary(0.5, 1.0, 59.5) | {"questions": 2.0, "abstention_recall": 1.0}
    unans = {
        "questions": 2.0,
        "passed": 1.0,
        "abstention_precision": 1.0,
        "abstention_recall": 1.0,
        "wrong_abstention_rate": 0.0,
        "latency_median_ms": 55.0,
        "latency_p95_ms": 68.5,
    }
    return {
        "settings": {"k": 5, "retrieval": "hybrid", "mode": "extractive", "seconds": 0.2},
        "summary": _summary(0.75, 1.0, 68.4),
        "by_type": {"fact": fact, "unanswerable": unans},
        "questions": questions,
    }


@pytest.fixture
def baseline(result: dict[str, Any]) -> dict[str, Any]:
    """An earlier run: faster, better token F1, and fact-bad still passed."""
    before = copy.deepcopy(result)
    before["summary"] |= {"latency_p95_ms": 37.0, "passed": 1.0, "token_f1": 0.6}
    before["questions"][1]["passed"] = True
    return before


def test_writes_every_file_and_results_round_trip(result: dict[str, Any], tmp_path: Path) -> None:
    paths = write_report(result, tmp_path / "out")
    names = {p.name for p in paths}
    assert names == {"results.json", "report.md", "report.html", "metrics_by_type.png", "latency.png"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert json.loads((tmp_path / "out" / "results.json").read_text()) == result
    # a results.json read back from disk renders the same report
    again = write_report(json.loads((tmp_path / "out" / "results.json").read_text()), tmp_path / "again")
    assert (tmp_path / "again" / "report.md").read_text() == (tmp_path / "out" / "report.md").read_text()
    assert len(again) == len(paths)


def test_markdown_lists_failed_questions_first(result: dict[str, Any], tmp_path: Path) -> None:
    write_report(result, tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert md.index("## Summary") < md.index("## By question type") < md.index("## Failed questions (1)")
    assert md.index("## Failed questions (1)") < md.index("### fact-bad") < md.index("## Passed questions (3)")
    for passing in ("### fact-ok", "### unans-one", "### unans-two"):
        assert md.index("### fact-bad") < md.index(passing)
    failed = md[md.index("### fact-bad") : md.index("## Passed questions")]
    assert "key facts missing: 626 million" in failed and "Some amount." in failed
    assert failed.count("`b.md`") == 1  # cited documents, each once
    assert "| hit@5 | 100.0% |" in md and "| latency_p95_ms | 68 ms |" in md and "| questions | 4 |" in md
    assert "\\<script\\>" in md  # shown as typed by a Markdown renderer, not run


def test_html_is_self_contained_and_escaped(result: dict[str, Any], tmp_path: Path) -> None:
    write_report(result, tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;hello&lt;/b&gt; &amp; more" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page.index("fact-bad") < page.index("fact-ok", page.index("Passed questions"))


def test_plots_are_pngs_embedded_in_the_html(result: dict[str, Any], baseline: dict[str, Any], tmp_path: Path) -> None:
    paths = write_report(result, tmp_path, baseline=baseline)
    page = (tmp_path / "report.html").read_text()
    pngs = [p for p in paths if p.suffix == ".png"]
    assert {p.name for p in pngs} == {"metrics_by_type.png", "latency.png", "deltas.png"}
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(PNG)
        assert f"data:image/png;base64,{base64.b64encode(data).decode('ascii')}" in page
    assert page.count("data:image/png;base64,") == 3


def test_baseline_adds_deltas(result: dict[str, Any], baseline: dict[str, Any], tmp_path: Path) -> None:
    write_report(result, tmp_path, baseline=baseline)
    deltas = json.loads((tmp_path / "results.json").read_text())["deltas"]
    assert set(deltas["regressions"]) == {"passed", "token_f1", "latency_p95_ms"}
    assert deltas["newly_failed"] == ["fact-bad"] and deltas["newly_passed"] == []
    md = (tmp_path / "report.md").read_text()
    assert "| latency_p95_ms | 37 ms | 68 ms | +31 ms (+84.9%) | REGRESSION |" in md
    assert "| token_f1 | 60.0% | 50.0% | -10.0 pp | REGRESSION |" in md
    assert "Newly failing: fact-bad." in md


def test_compare_flags_regressions_not_improvements(result: dict[str, Any]) -> None:
    before = _summary(0.75, 0.95, 100.0) | {"wrong_abstention_rate": 0.1, "token_f1": 0.4, "latency_median_ms": 52.0}
    now = _summary(0.75, 0.85, 150.0) | {"wrong_abstention_rate": 0.0, "token_f1": 0.405}
    deltas = {d.metric: d for d in compare({"summary": now}, {"summary": before})}
    hit = deltas["hit@5"]
    assert (hit.baseline, hit.current, hit.delta, hit.regression) == (0.95, 0.85, pytest.approx(-0.1), True)
    assert deltas["latency_p95_ms"].regression and deltas["latency_p95_ms"].delta == pytest.approx(50.0)
    assert not deltas["wrong_abstention_rate"].regression and deltas["wrong_abstention_rate"].improvement
    assert not deltas["token_f1"].regression  # a rise, and a small one
    assert not deltas["latency_median_ms"].regression  # +5.8 %, within the 10 % tolerance
    assert not deltas["questions"].regression
    # exactly the tolerance is not a regression; a bare summary works too
    edge = {d.metric: d for d in compare(before | {"hit@5": 0.94}, before)}
    assert not edge["hit@5"].regression
    assert not any(d.regression for d in compare(result, result))


def test_check_thresholds(result: dict[str, Any]) -> None:
    summary = result["summary"] | {"hit@5": 0.85, "latency_p95_ms": 612.0}
    assert check_thresholds(summary, ["hit@5=0.9"]) == ["hit@5 is 0.850, below the minimum 0.900"]
    assert check_thresholds(summary, ["latency_p95_ms<=500"]) == [
        "latency_p95_ms is 612.0 ms, above the maximum 500.0 ms"
    ]
    assert check_thresholds(summary, ["hit@5=0.85", "abstention_recall=0.6", " latency_p95_ms <= 700 "]) == []
    assert check_thresholds(result, ["hit@5>=0.9"]) == []  # a whole results dict works too
    assert len(check_thresholds(summary, ["hit@5=0.9", "latency_p95_ms<=500", "passed=0.5"])) == 2
    with pytest.raises(ValueError, match="malformed threshold 'nonsense'"):
        check_thresholds(summary, ["nonsense"])
    with pytest.raises(ValueError, match="not a number"):
        check_thresholds(summary, ["hit@5=high"])
    with pytest.raises(ValueError, match="unknown metric 'hit@50'"):
        check_thresholds(summary, ["hit@50=0.9"])


def test_import_loads_no_matplotlib() -> None:
    code = "import sys, rag.eval.report, rag.eval.plots; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
