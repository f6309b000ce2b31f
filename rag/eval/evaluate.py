"""Run a test set through the assistant and score retrieval, answers, citations and abstention."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.answering.assistant import Assistant
from rag.answering.verify import MARKER, SUPPORTED, claims, support_scores
from rag.errors import ConfigError
from rag.eval.metrics import hit_at_k, key_fact_recall, mrr_at_k, ndcg_at_k, percentile, recall_at_k, token_f1
from rag.eval.testset import TestQuestion, TestsetError, load_testset
from rag.types import Answer, Mode

RETRIEVAL_DEPTH = 10  # passages retrieved per question, so nDCG@10 has ten ranks to look at
MIN_KEY_FACTS = 0.5  # share of key facts an answer needs to pass

Progress = Callable[[int, int], None]


@dataclass
class QuestionResult:
    id: str
    type: str
    question: str
    answerable: bool
    answer: dict[str, Any]
    metrics: dict[str, float]
    passed: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class EvalResult:
    results: list[QuestionResult]
    summary: dict[str, float]
    by_type: dict[str, dict[str, float]]
    settings: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "summary": self.summary,
            "by_type": self.by_type,
            "questions": [asdict(r) for r in self.results],
        }


def ranked_documents(answer: Answer) -> list[str]:
    """Documents in retrieval order; a grouped duplicate counts where its group ranks."""
    ranked: list[str] = []
    for passage in answer.retrieved:
        for doc in (passage.doc_id, *passage.also):
            if doc not in ranked:
                ranked.append(doc)
    return ranked


def citation_scores(answer: Answer, assistant: Assistant) -> dict[str, float]:
    """ALCE-style citation recall and precision with the overlap-plus-embedding support score."""
    by_n = {c.n: c.passage.text for c in answer.citations}
    found = [c for c in claims(answer.text) if c.cited]
    if not found:
        return {"citation_recall": 0.0, "citation_precision": 0.0}
    pairs = [(c.text, by_n.get(n, "")) for c in found for n in c.cited]
    joint = [(c.text, " ".join(by_n.get(n, "") for n in c.cited)) for c in found]
    scores = support_scores([a for a, _ in pairs + joint], [b for _, b in pairs + joint], assistant.embedder)
    single, together = scores[: len(pairs)], scores[len(pairs) :]
    return {
        "citation_recall": sum(s >= SUPPORTED for s in together) / len(together),
        "citation_precision": sum(s >= SUPPORTED for s in single) / len(single),
    }


def score_question(item: TestQuestion, answer: Answer, k: int, assistant: Assistant) -> QuestionResult:
    metrics: dict[str, float] = {
        "latency_ms": answer.timings_ms.get("total_ms", 0.0),
        "abstained": float(answer.abstained),
    }
    reasons: list[str] = []
    if item.answerable:
        relevant = set(item.expected_sources)
        ranked = ranked_documents(answer)
        metrics.update(
            {
                f"hit@{k}": hit_at_k(ranked, relevant, k),
                f"recall@{k}": recall_at_k(ranked, relevant, k),
                f"mrr@{k}": mrr_at_k(ranked, relevant, k),
                "ndcg@10": ndcg_at_k(ranked, relevant, 10),
            }
        )
        plain = MARKER.sub("", answer.text)
        metrics["key_fact_recall"] = key_fact_recall(item.key_facts, plain)
        metrics["token_f1"] = token_f1(plain, item.reference_answer)
        vectors = assistant.embedder.encode([plain, item.reference_answer])
        metrics["answer_similarity"] = float(np.dot(vectors[0], vectors[1]))
        if answer.abstained:
            reasons.append("abstained on an answerable question")
        else:
            metrics.update(citation_scores(answer, assistant))
            cited = {c.passage.doc_id for c in answer.citations}
            metrics["source_accuracy"] = len(cited & relevant) / len(cited) if cited else 0.0
            if metrics["key_fact_recall"] < MIN_KEY_FACTS:
                missing = [f for f in item.key_facts if key_fact_recall([f], plain) < 1]
                reasons.append(f"key facts missing: {', '.join(missing)}")
            if not cited & relevant:
                reasons.append("no expected source among the citations")
    elif not answer.abstained:
        reasons.append("answered a question the documents do not answer")
    metrics["abstention_correct"] = float(answer.abstained != item.answerable)
    return QuestionResult(
        item.id, item.type, item.question, item.answerable, answer.as_json(), metrics, not reasons, reasons
    )


def summarise(results: Sequence[QuestionResult]) -> dict[str, float]:
    summary: dict[str, float] = {
        "questions": float(len(results)),
        "passed": sum(r.passed for r in results) / len(results) if results else 0.0,
    }
    names = sorted({m for r in results for m in r.metrics} - {"latency_ms", "abstained", "abstention_correct"})
    for name in names:
        values = [r.metrics[name] for r in results if name in r.metrics]
        summary[name] = statistics.fmean(values) if values else 0.0
    # Each abstention figure only where it means something (no 100% recall over zero questions).
    abstained = [r for r in results if r.metrics["abstained"]]
    unanswerable = [r for r in results if not r.answerable]
    answerable = [r for r in results if r.answerable]
    correct = [r for r in abstained if not r.answerable]
    if abstained:
        summary["abstention_precision"] = len(correct) / len(abstained)
    if unanswerable:
        summary["abstention_recall"] = len(correct) / len(unanswerable)
    if answerable:
        summary["wrong_abstention_rate"] = (len(abstained) - len(correct)) / len(answerable)
    latencies = [r.metrics["latency_ms"] for r in results]
    summary["latency_median_ms"] = percentile(latencies, 50)
    summary["latency_p95_ms"] = percentile(latencies, 95)
    return summary


def evaluate(
    assistant: Assistant,
    questions: Sequence[TestQuestion],
    k: int = 5,
    retrieval: Mode = "hybrid",
    progress: Progress | None = None,
    source: dict[str, Any] | None = None,
) -> EvalResult:
    """Answer and score every question; `source` (test set path and hash) goes into the settings."""
    # Load the model and indexes before the clock runs: latency is per question, not start-up.
    assistant.answer(questions[0].question, retrieval=retrieval)
    started = time.perf_counter()
    results = []
    for number, item in enumerate(questions, start=1):
        history = [dict(turn) for turn in item.history]
        answer = assistant.answer(item.question, history, k=max(k, RETRIEVAL_DEPTH), retrieval=retrieval)
        results.append(score_question(item, answer, k, assistant))
        if progress:
            progress(number, len(questions))
    by_type = {t: summarise([r for r in results if r.type == t]) for t in sorted({r.type for r in results})}
    documents = sorted((d.doc_id, d.sha256) for d in assistant.store.documents().values())
    settings = {
        "k": k,
        "retrieval": retrieval,
        "mode": "llm" if assistant.config.llm_enabled else "extractive",
        "seconds": round(time.perf_counter() - started, 2),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "documents": len(documents),
        "corpus_sha256": hashlib.sha256(repr(documents).encode()).hexdigest(),
        **(source or {}),
    }
    return EvalResult(results, summarise(results), by_type, settings)


def summary_metrics(k: int) -> list[str]:
    """The names a summary can hold (a subset appears when a kind of question is absent)."""
    return [
        "questions",
        "passed",
        f"hit@{k}",
        f"recall@{k}",
        f"mrr@{k}",
        "ndcg@10",
        "key_fact_recall",
        "token_f1",
        "answer_similarity",
        "citation_recall",
        "citation_precision",
        "source_accuracy",
        "abstention_precision",
        "abstention_recall",
        "wrong_abstention_rate",
        "latency_median_ms",
        "latency_p95_ms",
    ]


@dataclass
class EvalRun:
    """An evaluation with its written report and its threshold check."""

    result: dict[str, Any]
    files: list[Path]
    failures: list[str]


def run_evaluation(
    assistant: Assistant,
    testset: Path,
    out_dir: Path,
    baseline: Path | None = None,
    retrieval: Mode = "hybrid",
    minimums: Sequence[str] = (),
    k: int = 5,
    progress: Progress | None = None,
) -> EvalRun:
    """Load and validate the test set, evaluate, write results.json, report.md/.html and plots, check --min."""
    from rag.eval.report import check_thresholds, write_report

    questions = load_testset(testset)
    try:  # a typo in a threshold fails before minutes of work, not after
        check_thresholds(dict.fromkeys(summary_metrics(k), 0.0), list(minimums))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    previous = _read_results(baseline) if baseline else None
    source = {"testset": str(testset), "testset_sha256": hashlib.sha256(testset.read_bytes()).hexdigest()}
    result = evaluate(assistant, questions, k, retrieval, progress, source).as_json()
    files = write_report(result, out_dir, previous)
    return EvalRun(result, files, check_thresholds(result["summary"], list(minimums)))


def _read_results(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TestsetError(f"cannot read the baseline {path}: {exc}") from exc
    if not isinstance(data, dict) or "summary" not in data:
        raise TestsetError(f"{path} is not a results.json written by clusterqa eval")
    return data
