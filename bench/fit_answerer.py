"""Refit the extractive answerer's two logistic models (rag/answering/answerer.json) on tuning data.

Run: .venv/bin/python bench/fit_answerer.py DATA_DIR [DATA_DIR ...] [--limit 400] [--index-root DIR]
     [--rows FILE] [--answer-only] [--write]

Only the questions marked "tune" are read (the "test" parts stay unseen for bench/answer_quality.py).
For each question the real pipeline (routing included) retrieves its passages and lists the candidate
sentences with their features; a sentence is a positive example when it states a gold answer. The
sentence model is fitted on those (--answer-only keeps the shipped one); the answer model on the sentence
each question's answer leads with (the first once the shipped verifier has read the sentence model's first
few, as the answerer orders them; positive when it states the answer, so every unanswerable question is a
negative), reading also what that verifier (rag/answering/verifier.safetensors, fitted by
bench/fit_verifier.py on other sets) says of it. Each data set weighs the same, however many questions
it has.
Prints the precision/recall curve of answering (precision: answered and right; recall: answerable
questions answered right), how well the answer model tells answerable questions from unanswerable ones
(area under the ROC curve), and the operating point, searched in steps of 0.01: the lowest threshold at
which at least 80% of the unanswerable tuning questions are abstained on, unless wrong abstentions would
pass 10%, then the highest threshold that keeps them at 10%; each rate is the mean of the data sets' own,
as each data set weighs the same in the fit. --write saves the models.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answer_quality import indexed, load_items, states  # noqa: E402
from rag.answering.candidates import FEATURES, candidates  # noqa: E402
from rag.answering.extractive import (  # noqa: E402
    ANSWER_FEATURES,
    TARGET_PENALTY,
    answer_features,
    runner_up,
    verified_order,
)
from rag.answering.model import MODEL_FILE, AnswererModel, Logistic, load  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.verifier import Verifier  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402

UNANSWERABLE_ABSTAINED = 0.8
WRONG_ABSTENTIONS = 0.1


def collect(
    folder: Path, embedder: Embedder, limit: int | None, index_root: Path | None, split: str = "tune"
) -> list[dict[str, Any]]:
    """Per question of the split: its candidates' features, texts and labels."""
    rows = []
    with indexed(folder, embedder, index_root) as ctx:
        lexical = ctx.store.lexical()
        items = load_items(folder, split, limit)
        for number, item in enumerate(items, start=1):
            if number % 50 == 0:
                print(f"  {folder.name}: {number}/{len(items)}", file=sys.stderr, flush=True)
            found, question = ctx.assistant.read(analyse(item.question), 2 * ctx.config.k, lexical)
            cands = candidates(question, found.passages, lexical, ctx.assistant.sentences)
            rows.append(
                {
                    "question": item.question,
                    "answerable": item.answerable,
                    "features": [list(c.features) for c in cands],
                    "labels": [item.answerable and states(c.text, item.answers) for c in cands],
                    "targets": [c.target for c in cands],
                    "texts": [c.text for c in cands],
                    "data": folder.name,
                }
            )
    return rows


def fit_sentence(rows: list[dict[str, Any]], per_data: dict[str, int]) -> Logistic:
    """The sentence model: every candidate of every question, each question weighing the same in its data set."""
    x, y, w = [], [], []
    for r in rows:
        for features, label in zip(r["features"], r["labels"], strict=True):
            x.append(features)
            y.append(label)
            w.append(1.0 / per_data[r["data"]] / max(len(r["features"]), 1))
    return fit(np.array(x), np.array(y), np.array(w), FEATURES)


def fit(
    x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], weight: np.ndarray[Any, Any], names: tuple[str, ...]
) -> Logistic:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y, sample_weight=weight * len(weight) / weight.sum())  # mean weight 1: C means what it says
    return Logistic(names, tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+", type=Path)
    parser.add_argument("--limit", type=int, default=400, help="tuning questions per data set (a fixed sample)")
    parser.add_argument("--index-root", type=Path, help="keep each data set's index here between runs")
    parser.add_argument("--rows", type=Path, help="features of the candidates: read from here if present, else saved")
    parser.add_argument(
        "--answer-only", action="store_true", help="keep the shipped sentence model; refit the answer model only"
    )
    parser.add_argument("--write", action="store_true", help=f"save the models to {MODEL_FILE}")
    args = parser.parse_args()
    force_offline()
    embedder = Embedder()  # loads on first use: not at all when --rows has the features
    if args.rows and args.rows.exists():
        rows = json.loads(args.rows.read_text(encoding="utf-8"))
        if not all("question" in r for r in rows):
            sys.exit(f"{args.rows} was saved by an older version (no question texts): delete it to collect again")
    else:
        rows = [r for folder in args.data for r in collect(folder, embedder, args.limit, args.index_root)]
        if args.rows:
            args.rows.write_text(json.dumps(rows), encoding="utf-8")
    per_data = {d: sum(r["data"] == d for r in rows) for d in {r["data"] for r in rows}}

    sentence = load().sentence if args.answer_only else fit_sentence(rows, per_data)

    verifier = Verifier()
    ax, ay, aw, answerable = [], [], [], []
    for r in rows:
        if not r["features"]:
            continue
        penalties = [TARGET_PENALTY if t else 1.0 for t in r["targets"]]
        scored = sorted(
            (
                (sentence.probability(f) * penalty, text, f, label)
                for f, label, penalty, text in zip(r["features"], r["labels"], penalties, r["texts"], strict=True)
            ),
            key=lambda t: -t[0],
        )
        order, verdicts = verified_order(analyse(r["question"]), [(p, text) for p, text, _, _ in scored], verifier)
        scored = [scored[i] for i in order]
        rival = runner_up([(p, text) for p, text, _, _ in scored])
        verified = verdicts[order[0]]
        ax.append(answer_features(scored[0][2], scored[0][0], rival, verified, verdicts[0]))
        ay.append(bool(scored[0][3]))
        aw.append(1.0 / per_data[r["data"]])
        answerable.append(r["answerable"])
    answer = fit(np.array(ax), np.array(ay), np.array(aw), ANSWER_FEATURES)
    probs = np.array([answer.probability(f) for f in ax])
    data = np.array([r["data"] for r in rows if r["features"]])
    for name in sorted(set(data)):
        print(f"\n{name}:")
        chosen = data == name
        operating_point(probs[chosen], np.array(ay)[chosen], np.array(answerable)[chosen], data[chosen])
    print("\nall (each data set weighing the same, in the fit and in the rates):")
    threshold = operating_point(probs, np.array(ay), np.array(answerable), data)
    print(json.dumps({"questions": per_data, "sentence": sentence.as_json(), "answer": answer.as_json()}, indent=1))
    print(f"operating point: threshold {threshold:.3f}")
    if args.write:
        model = AnswererModel(sentence, answer, threshold)
        raw = {"sentence": model.sentence.as_json(), "answer": model.answer.as_json(), "threshold": threshold}
        MODEL_FILE.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


def operating_point(
    probs: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    answerable: np.ndarray[Any, Any],
    data: np.ndarray[Any, Any],
) -> float:
    """Print the curve and how well the answer model tells answerable questions from unanswerable ones;
    return the threshold chosen as the module docstring says. Each rate is the mean of the data sets' own."""
    from sklearn.metrics import roc_auc_score

    def rate(hits: np.ndarray[Any, Any], of: np.ndarray[Any, Any]) -> float:
        return float(np.mean([(hits & of)[data == d].sum() / max(of[data == d].sum(), 1) for d in set(data)]))

    if 0 < answerable.sum() < len(answerable):
        print(f"answerable or not, area under the ROC curve (0.5 is chance): {roc_auc_score(answerable, probs):.2f}")
    print(
        "| threshold | answered | precision (right of answered) | recall (answerable right) "
        "| unanswerable abstained | wrong abstentions |"
    )
    print("|---|---|---|---|---|---|")
    chosen_low: float | None = None
    best_safe = 0.0
    everything = np.ones_like(answerable, dtype=bool)
    for t in np.round(np.arange(0.01, 0.96, 0.01), 2):
        answered = probs >= t
        abstained_unanswerable = rate(~answered, ~answerable)
        wrong = rate(~answered, answerable)
        if round(t * 100) % 5 == 0 or t < 0.05:
            precision, recall = rate(right, answered), rate(answered & right, answerable)
            print(
                f"| {t:.2f} | {rate(answered, everything):.2f} | {precision:.2f} | {recall:.2f} "
                f"| {abstained_unanswerable:.2f} | {wrong:.2f} |"
            )
        if wrong <= WRONG_ABSTENTIONS:
            best_safe = float(t)
        if chosen_low is None and abstained_unanswerable >= UNANSWERABLE_ABSTAINED:
            chosen_low = float(t)
    if chosen_low is not None and chosen_low <= best_safe:
        return chosen_low
    return best_safe


if __name__ == "__main__":
    main()
