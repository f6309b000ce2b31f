"""Figures over time: periods are shown when documents of different dates disagree, not for one report's dates."""

from __future__ import annotations

from rag.answering.candidates import SentenceEncoder
from rag.answering.extractive import answer_extractive
from rag.answering.question import analyse
from rag.answering.verifier import Verifier
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.types import Passage

QUESTION = "How many employees does Acme Tools have?"


def passage(doc_id: str, date: str, text: str) -> Passage:
    return Passage(
        chunk_id=f"{doc_id}-0", doc_id=doc_id, text=text, title=doc_id, source=f"{doc_id}.md", date=date,
        format="md", page=None, section=None, char_start=0, char_end=len(text), score=1.0,
    )  # fmt: skip


def answer(passages: list[Passage], embedder: Embedder) -> str:
    lexical = LexicalIndex.build(passages, "test")
    result = answer_extractive(
        analyse(QUESTION), passages, lexical, SentenceEncoder(embedder), Verifier(embedder.cache_dir)
    )
    assert not result.abstained
    return result.text


def test_documents_of_different_dates_lead_with_the_newest_figure(embedder: Embedder) -> None:
    text = answer(
        [
            passage("annual-2023", "2023-03-01", "Acme Tools had 1,250 employees at the end of the year."),
            passage("annual-2021", "2021-03-01", "Acme Tools had 900 employees at the end of the year."),
        ],
        embedder,
    )
    lines = text.split("\n")
    assert lines[0].startswith("Most recent (March 2023): Acme Tools had 1,250 employees"), text
    assert lines[1].startswith("Earlier (March 2021): Acme Tools had 900 employees"), text


def test_one_reports_dates_are_not_periods_of_the_figure(embedder: Embedder) -> None:
    report = passage(
        "annual-2023",
        "2023-03-01",
        "As of December 31, 2022, Acme Tools had 1,250 employees. "
        "In June 2020, Acme Tools had 900 employees before the merger.",
    )
    text = answer([report], embedder)
    assert "Most recent" not in text and "Earlier (" not in text, text
    assert "1,250 employees" in text


def test_a_date_after_its_document_is_not_the_period_of_a_figure(embedder: Embedder) -> None:
    text = answer(
        [
            passage(
                "annual-2023", "2023-03-01", "Acme Tools had 1,250 employees, and its lease runs to November 2026."
            ),
            passage("annual-2021", "2021-03-01", "Acme Tools had 900 employees at the end of the year."),
        ],
        embedder,
    )
    assert "November 2026)" not in text, text
