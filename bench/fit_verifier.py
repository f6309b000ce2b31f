"""Fit the answer verifier (rag/answering/verifier.safetensors) on real question-sentence pairs.

Run: .venv/bin/python bench/fit_verifier.py DATA_DIR [DATA_DIR ...] [--squad SQUAD_GIT_DIR --squad-fitted DIR]
     [--index-root DIR] [--pairs FILE] [--write]

Every question of each DATA_DIR is read (pass sets the answerer's fit does not read, so that fitting
bench/fit_answerer.py afterwards sees the verifier on questions it was not fitted on). For each question
the real pipeline lists the candidate sentences of its passages; the four the sentence model ranks first,
and the first one stating a gold answer below them, become pairs (question, sentence, states the answer).
With --squad (the git directory of `chrischute/squad`), 2,000 pairs are added from SQuAD 2.0 dev
questions of the tuning articles (the split bench/prepare_data.py makes) that the answerer's fit does not
sample (--squad-fitted: the laid-out `squad2` folder, its tuning sample of 200 as fit_answerer --limit
200 draws it): the two sentences of the question's paragraph closest to it by the embedding model, and
the first stating the answer. Adapters and head are trained for two epochs (AdamW, a tenth of the steps
warming up, then linear decay; positives weighted by the negatives' share). --write saves them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answer_quality import load_items, states  # noqa: E402
from bench.fit_answerer import collect  # noqa: E402
from bench.prepare_data import git_show  # noqa: E402
from rag.answering.extractive import TARGET_PENALTY  # noqa: E402
from rag.answering.model import load  # noqa: E402
from rag.answering.verifier import ADAPTER_FILE, build, encode_pairs, pair_tokenizer, trained_state  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

PER_QUESTION = 4
SQUAD_QUESTIONS = 2400
SQUAD_PAIRS = 2000
EPOCHS = 2
BATCH = 16
LEARNING_RATE = 5e-4


def pipeline_pairs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The candidates the sentence model ranks first, and the first below them that states the answer."""
    model = load()
    pairs = []
    for row in rows:
        penalties = [TARGET_PENALTY if t else 1.0 for t in row["targets"]]
        scored = sorted(
            zip(
                [model.sentence.probability(f) * p for f, p in zip(row["features"], penalties, strict=True)],
                row["texts"],
                row["labels"],
                strict=True,
            ),
            key=lambda t: -t[0],
        )
        chosen = scored[:PER_QUESTION] + [s for s in scored[PER_QUESTION:] if s[2]][:1]
        pairs += [{"q": row["question"], "s": text, "y": bool(label)} for _, text, label in chosen]
    return pairs


def squad_pairs(repo: Path, fitted: Path, embedder: Embedder) -> list[dict[str, Any]]:
    articles = json.loads(git_show(repo, "data/dev-v2.0.json"))["data"]
    order = sorted(a["title"] for a in articles)
    tuning = {title for i, title in enumerate(order) if i % 2 == 0}
    excluded = {item.id for item in load_items(fitted, "tune", 200)}
    questions = []
    for article in articles:
        if article["title"] not in tuning:
            continue
        for paragraph in article["paragraphs"]:
            context = paragraph["context"].strip()
            sentences = [context[start:end] for start, end in sentence_spans(context)]
            for qa in paragraph["qas"]:
                if qa["id"] not in excluded:
                    answers = list(dict.fromkeys(a["text"] for a in qa["answers"]))
                    questions.append((qa["question"], sentences, answers, not qa.get("is_impossible", False)))
    random.Random(1).shuffle(questions)
    pairs = []
    for number, (question, sentences, answers, answerable) in enumerate(questions[:SQUAD_QUESTIONS], start=1):
        if number % 400 == 0:
            print(f"  squad: {number}/{SQUAD_QUESTIONS}", file=sys.stderr, flush=True)
        vectors = embedder.encode([question, *sentences])
        closest = [int(i) for i in np.argsort(-(vectors[1:] @ vectors[0]))]
        labels = [answerable and states(s, answers) for s in sentences]
        chosen = closest[:2] + [i for i in range(len(sentences)) if labels[i] and i not in closest[:2]][:1]
        pairs += [{"q": question, "s": sentences[i], "y": bool(labels[i])} for i in chosen]
    random.Random(2).shuffle(pairs)
    return pairs[:SQUAD_PAIRS]


def train(pairs: list[dict[str, Any]]) -> Any:
    import torch

    torch.manual_seed(0)
    tokenizer = pair_tokenizer()
    model = build()
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * ((len(pairs) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    positives = sum(p["y"] for p in pairs)
    weight = torch.tensor((len(pairs) - positives) / max(positives, 1))
    started, step = time.monotonic(), 0
    for epoch in range(EPOCHS):
        order = list(pairs)
        random.Random(epoch).shuffle(order)
        model.train()
        for i in range(0, len(order), BATCH):
            chunk = order[i : i + BATCH]
            batch = encode_pairs(tokenizer, [p["q"] for p in chunk], [p["s"] for p in chunk])
            logits = model(**{name: torch.from_numpy(values) for name, values in batch.items()})
            labels = torch.tensor([float(p["y"]) for p in chunk])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, pos_weight=weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 50 == 0 or step == steps:
                print(
                    f"  step {step}/{steps}, loss {loss.item():.3f}, {time.monotonic() - started:.0f}s", file=sys.stderr
                )
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+", type=Path)
    parser.add_argument("--squad", type=Path, help="git directory of chrischute/squad")
    parser.add_argument("--squad-fitted", type=Path, help="the laid-out squad2 folder the answerer's fit reads")
    parser.add_argument("--index-root", type=Path, help="keep each data set's index here between runs")
    parser.add_argument("--pairs", type=Path, help="the training pairs: read from here if present, else saved")
    parser.add_argument("--write", action="store_true", help=f"save the adapters and head to {ADAPTER_FILE}")
    args = parser.parse_args()
    if bool(args.squad) != bool(args.squad_fitted):
        parser.error("--squad and --squad-fitted go together")
    force_offline()
    if args.pairs and args.pairs.exists():
        pairs = json.loads(args.pairs.read_text(encoding="utf-8"))
    else:
        embedder = Embedder()
        rows = [r for folder in args.data for r in collect(folder, embedder, None, args.index_root, split="all")]
        pairs = pipeline_pairs(rows)
        if args.squad:
            pairs += squad_pairs(args.squad, args.squad_fitted, embedder)
        if args.pairs:
            args.pairs.write_text(json.dumps(pairs), encoding="utf-8")
    print(f"{len(pairs)} pairs, {sum(p['y'] for p in pairs)} stating the answer", file=sys.stderr)
    model = train(pairs)
    if args.write:
        from safetensors.torch import save_file

        save_file({k: v.half().contiguous() for k, v in trained_state(model).items()}, str(ADAPTER_FILE))
        print(f"wrote {ADAPTER_FILE} ({ADAPTER_FILE.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
