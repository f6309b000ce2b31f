"""route()'s decision from card scores: clear, weak, several documents, none."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from rag.answering.question import analyse
from rag.answering.route import LONG_DOCUMENT, route
from rag.index.cards import DocumentCards

DOCS = ["a.pdf", "b.pdf", "c.pdf", "d.pdf", "e.pdf"]


class Scored(DocumentCards):
    """Cards whose scores are given: the question's names score `by_name`, its year adds `by_year`."""

    by_name: list[float]
    by_year: list[float]

    def __init__(
        self, by_name: list[float], chunks: list[int] | None = None, by_year: list[float] | None = None
    ) -> None:
        super().__init__("stamp", DOCS, [["acme"]] * len(DOCS), chunks or [10] * len(DOCS), None)
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "by_year", by_year or [0.0] * len(DOCS))

    def scores(self, words: Iterable[str]) -> np.ndarray[Any, Any]:
        asked = list(words)
        named = np.array(self.by_name if "acme" in asked else [0.0] * len(DOCS))
        return named + np.array(self.by_year if "2023" in asked else [0.0] * len(DOCS))


QUESTION = analyse("What did Acme report in 2023?")


def test_one_document_far_ahead_is_searched_alone() -> None:
    chosen = route(Scored([0.0, 3.0, 1.0, 0.5, 0.0]), QUESTION)
    assert chosen is not None and chosen.clear and chosen.doc_ids == ("b.pdf",) and chosen.names == {"acme"}


def test_two_close_documents_ahead_of_the_rest_are_both_named() -> None:
    chosen = route(Scored([2.0, 1.8, 0.2, 0.0, 0.0]), QUESTION)
    assert chosen is not None and chosen.clear and chosen.doc_ids == ("a.pdf", "b.pdf")


def test_a_small_lead_only_boosts() -> None:
    chosen = route(Scored([1.0, 0.55, 0.45, 0.0, 0.0]), QUESTION)
    assert chosen is not None and not chosen.clear and chosen.doc_ids == ("a.pdf", "b.pdf")


def test_no_lead_or_too_many_close_documents_route_nowhere() -> None:
    assert route(Scored([1.0, 0.55, 0.48, 0.0, 0.0]), QUESTION) is None  # 0.55 is not 1.2 times 0.48
    assert route(Scored([1.0, 0.9, 0.9, 0.9, 0.0]), QUESTION) is None
    assert route(Scored([0.0] * 5), QUESTION) is None


def test_a_year_alone_never_routes() -> None:
    assert route(Scored([3.0, 0.0, 0.0, 0.0, 0.0]), analyse("What was reported in 2023?")) is None


def test_documents_matching_only_the_year_are_not_named_beside_the_best() -> None:
    chosen = route(Scored([3.0, 0.0, 0.0, 0.0, 0.0], by_year=[1.0, 2.0, 2.0, 2.0, 0.0]), QUESTION)
    assert chosen is not None and chosen.clear and chosen.doc_ids == ("a.pdf",)


def test_a_route_says_whether_every_named_document_is_long() -> None:
    short_and_long = [LONG_DOCUMENT - 1, LONG_DOCUMENT, LONG_DOCUMENT, 5, 5]
    one = route(Scored([0.0, 3.0, 1.0, 0.5, 0.0], short_and_long), QUESTION)
    assert one is not None and one.doc_ids == ("b.pdf",) and one.long
    two = route(Scored([2.0, 1.8, 0.2, 0.0, 0.0], short_and_long), QUESTION)
    assert two is not None and two.doc_ids == ("a.pdf", "b.pdf") and not two.long


class Carded(Scored):
    """Cards with their own words, scored as given whatever the question's names."""

    def __init__(self, by_name: list[float], cards: list[list[str]]) -> None:
        super().__init__(by_name)
        object.__setattr__(self, "cards", cards)

    def scores(self, words: Iterable[str]) -> np.ndarray[Any, Any]:
        return np.array(self.by_name)


def test_too_many_close_documents_narrow_to_those_holding_the_rarest_name() -> None:
    asked = analyse("How many shares remain under Medallion's Equity Plan?")
    common = ["equity", "plan"]
    cards = [["medallion", *common], common, common, common, []]
    close = [1.2, 0.64, 0.61, 0.61, 0.0]
    chosen = route(Carded(close, cards), asked)
    assert chosen is not None and chosen.doc_ids == ("a.pdf",) and not chosen.clear  # 1.2 is not twice 0.64
    assert route(Carded(close, [*[["medallion", *common]] * 4, []]), asked) is None  # the rarest is not rare
    assert route(Carded(close, [common, ["medallion", *common], common, common, []]), asked) is None  # not the best's
