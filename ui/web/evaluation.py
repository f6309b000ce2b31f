"""The Evaluation tab's work, callable without a server: pick the test set, run it, show the report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.answering.assistant import Assistant
from rag.answering.retrieve import mode_of
from rag.config import AppConfig
from rag.eval.evaluate import EvalRun, run_evaluation
from rag.eval.report import headline, inline_png, ordered_questions, report_tables
from rag.eval.testset import TestsetError
from ui.web.format import esc

SHIPPED, UPLOAD = "shipped", "upload"
QUESTION_HEADERS = ["Result", "ID", "Type", "Question", "Reasons", "Answer", "Cited"]
PLOT_TITLES = {"metrics_by_type": "Metrics per question type", "latency": "Latency per question"}


def reports_dir(config: AppConfig) -> Path:
    """Where the tab writes its reports: one folder per run, beside the index."""
    return config.index_dir / "evaluations"


def testset_path(config: AppConfig, source: str, upload: str | None) -> Path:
    """The file to run: the configured test set, or the uploaded one."""
    if source == UPLOAD:
        if not upload:
            raise TestsetError("Choose a test set file (.jsonl) to upload first.")
        return Path(upload)
    if not config.testset.is_file():
        raise TestsetError(
            f"The configured test set {config.testset} does not exist: upload one, or set CLUSTERQA_TESTSET."
        )
    return config.testset


def run(
    assistant: Assistant, testset: Path, retrieval: str, progress: Callable[[int, int], None] | None = None
) -> EvalRun:
    """Evaluate into a new report folder (results.json, report.md, report.html, plots)."""
    out = reports_dir(assistant.config) / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return run_evaluation(assistant, testset, out, retrieval=mode_of(retrieval), progress=progress)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="cqa-eval-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def summary_html(evaluation: EvalRun) -> str:
    """The headline, the summary and per-type tables, and the plots (inline, so nothing is fetched)."""
    result = evaluation.result
    parts = [f'<p class="cqa-eval-headline">{esc(headline(result))}</p>']
    for title, header, rows in report_tables(result, None):
        parts += [f"<h3>{esc(title)}</h3>", _table(header, rows)]
    parts.append('<p class="cqa-eval-note">– : the metric does not apply to the group.</p>')
    for plot in (p for p in evaluation.files if p.suffix == ".png"):
        parts += [f"<h3>{esc(PLOT_TITLES.get(plot.stem, plot.stem))}</h3>", inline_png(plot)]
    report = next(p for p in evaluation.files if p.name == "report.html")
    parts.append(f'<p class="cqa-eval-note">Report written to <span class="cqa-file">{esc(report.parent)}</span></p>')
    return f'<div class="cqa-eval">{"".join(parts)}</div>'


def question_rows(evaluation: EvalRun) -> list[list[Any]]:
    """One row per question, the failed ones first."""
    rows = []
    for title, views in ordered_questions(evaluation.result):
        status = "failed" if title.startswith("Failed") else "passed"
        rows += [
            [status, v["id"], v["type"], v["question"], "; ".join(v["reasons"]), v["answer"], ", ".join(v["cited"])]
            for v in views
        ]
    return rows
