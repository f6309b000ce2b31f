"""Every metric on hand-made cases with known values."""

from __future__ import annotations

import math

import pytest

from rag.eval.metrics import (
    fact_present,
    hit_at_k,
    key_fact_recall,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
    token_f1,
)

RANKED = ["a", "b", "c", "d", "e"]


def test_retrieval_metrics() -> None:
    relevant = {"b", "e", "z"}
    assert hit_at_k(RANKED, relevant, 1) == 0.0
    assert hit_at_k(RANKED, relevant, 2) == 1.0
    assert recall_at_k(RANKED, relevant, 5) == pytest.approx(2 / 3)
    assert recall_at_k(RANKED, relevant, 1) == 0.0
    assert mrr_at_k(RANKED, relevant, 5) == 0.5
    assert mrr_at_k(RANKED, {"z"}, 5) == 0.0


def test_ndcg_uses_the_ideal_ranking_of_the_relevant_documents() -> None:
    dcg = 1 / math.log2(3) + 1 / math.log2(6)  # hits at ranks 2 and 5
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)  # three relevant documents, all first
    assert ndcg_at_k(RANKED, {"b", "e", "z"}, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["x", "y"], {"x", "y"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["y", "x"], {"x"}, 10) == pytest.approx(1 / math.log2(3))


@pytest.mark.parametrize(
    ("fact", "answer", "present"),
    [
        ("626 million", "potential of 626,000,000 tonnes", True),
        ("626,000,000", "potential of 626 million tonnes", True),
        ("$2.5 trillion", "a GDP target of $2,500 billion", True),
        ("3.4 million", "3.4 million jobs", True),
        ("3.4 million", "4.3 million jobs", False),
        ("33", "thirty-three clusters", True),
        ("20 members", "it had 20 members", True),
        ("20 members", "it had 20 clusters", False),
        ("COP26", "launched at cop26 in Glasgow", True),
        ("Saraburi", "Sara buri", False),
    ],
)
def test_key_facts_compare_numbers_after_units_and_separators(fact: str, answer: str, present: bool) -> None:
    assert fact_present(fact, answer) is present


def test_key_fact_recall_is_the_share_found() -> None:
    assert key_fact_recall(["COP26", "Glasgow", "2021"], "At COP26 in 2021.") == pytest.approx(2 / 3)
    assert key_fact_recall([], "anything") == 1.0


def test_token_f1() -> None:
    assert token_f1("The cat sat", "the cat sat") == 1.0
    assert token_f1("cat", "dog") == 0.0
    # pred {a-free: "cat", "sat", "down"} vs ref {"cat", "sat"}: precision 2/3, recall 1
    assert token_f1("cat sat down", "the cat sat") == pytest.approx(0.8)


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48)
    assert percentile([], 50) == 0.0
