"""`clusterqa eval`: run a test set, write the report, and turn --min thresholds into an exit code."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rag.types import MODES
from ui.progress import progress_callback

if TYPE_CHECKING:
    from rag.app import AppContext
    from rag.eval.evaluate import EvalRun

EXIT_OK, EXIT_BELOW_THRESHOLD = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--testset", type=Path, help="JSON Lines test set (default: setting testset)")
    parser.add_argument("--out", type=Path, default=Path("eval-report"), help="report folder (default: eval-report)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--baseline", type=Path, help="an earlier results.json to compare with")
    parser.add_argument("--retrieval", choices=MODES, default="hybrid", help="retrieval to evaluate")
    parser.add_argument("--k", type=int, default=5, help="rank cut-off of the retrieval metrics (default 5)")
    parser.add_argument(
        "--min",
        action="append",
        default=[],
        dest="minimums",
        metavar="METRIC=VALUE",
        help="fail (exit 1) below this value; METRIC<=VALUE for a maximum (repeatable)",
    )


def evaluate_for(ctx: AppContext, args: argparse.Namespace, progress_bar: bool) -> EvalRun:
    from rag.eval.evaluate import run_evaluation

    update = progress_callback(progress_bar)
    return run_evaluation(
        ctx.assistant,
        args.testset or ctx.config.testset,
        args.out,
        args.baseline,
        args.retrieval,
        args.minimums,
        args.k,
        (lambda done, total: update("questions", done, total)) if update else None,
    )


def print_run(run: EvalRun, as_json: bool) -> None:
    from rag.eval.evaluate import summary_metrics

    summary = run.result["summary"]
    if as_json:
        print(
            json.dumps(
                {
                    "summary": summary,
                    "by_type": run.result["by_type"],
                    "settings": run.result["settings"],
                    "failures": run.failures,
                    "files": [str(f) for f in run.files],
                }
            )
        )
        return
    for name in summary_metrics(run.result["settings"]["k"]):
        if name in summary:
            value = summary[name]
            shown = (
                f"{value:.0f}"
                if name == "questions"
                else f"{value:.0f} ms"
                if name.endswith("_ms")
                else (f"{100 * value:.1f}%")
            )
            print(f"{name:24} {shown:>9}")
    print(f"report: {run.files[0].parent}/report.html")
    for failure in run.failures:
        print(f"below threshold: {failure}")


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    import sys

    result = evaluate_for(ctx, args, sys.stderr.isatty())
    print_run(result, args.json)
    return EXIT_BELOW_THRESHOLD if result.failures else EXIT_OK
