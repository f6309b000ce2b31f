"""Evaluation metrics, all computable without an LLM (definitions in the README, "Evaluation")."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from rag.numbers import numbers, same_number

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(r"[^\w\s]")


def hit_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return 1.0 if set(ranked[:k]) & relevant else 0.0


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def mrr_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-relevance nDCG; the ideal ranking puts all relevant documents first."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def _normalise(text: str) -> str:
    return " ".join(_ARTICLES.sub(" ", _PUNCT.sub(" ", text.lower())).split())


def fact_present(fact: str, answer: str) -> bool:
    """A key fact is in the answer: its numbers (after units and separators) and its words."""
    fact_numbers = numbers(fact)
    if fact_numbers:
        stated = numbers(answer, words=True)
        if not all(any(same_number(n, s) for s in stated) for n in fact_numbers):
            return False
        words = _normalise(re.sub(r"[\d.,$%]+|\b(thousand|million|billion|trillion)\b", " ", fact, flags=re.I))
        return all(w in _normalise(answer).split() for w in words.split())
    return _normalise(fact) in _normalise(answer)


def key_fact_recall(facts: Sequence[str], answer: str) -> float:
    return sum(fact_present(f, answer) for f in facts) / len(facts) if facts else 1.0


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 after lower-casing and dropping punctuation and articles."""
    pred, ref = _normalise(prediction).split(), _normalise(reference).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not pred or not ref or not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
