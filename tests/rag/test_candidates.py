"""Candidate sentences' features on real passages: what "how many" counts, and when a plan's figure is asked for."""

from __future__ import annotations

import pytest

from rag.answering.candidates import Candidate, SentenceEncoder, candidates
from rag.answering.question import analyse
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.types import Passage

TEXT = (
    "Nine leading industrial clusters in China, Japan and Spain have joined the initiative. "
    "The meeting in Davos drew 2,800 leaders. "
    "The project is expected to create 6,000 new jobs by 2030."
)


def passage(text: str) -> Passage:
    return Passage(
        chunk_id="c1", doc_id="d1", text=text, title="Clusters join", source="d1.md", date="2023-01-19",
        format="md", page=None, section=None, char_start=0, char_end=len(text), score=1.0,
    )  # fmt: skip


def found(question: str, embedder: Embedder) -> dict[str, Candidate]:
    passages = [passage(TEXT)]
    lexical = LexicalIndex.build(passages, "test")
    return {c.text: c for c in candidates(analyse(question), passages, lexical, SentenceEncoder(embedder))}


def test_a_figure_counts_as_near_what_is_counted_past_the_adjectives(embedder: Embedder) -> None:
    by_text = found("How many new clusters joined the initiative in January 2023?", embedder)
    joined = by_text["Nine leading industrial clusters in China, Japan and Spain have joined the initiative."]
    leaders = by_text["The meeting in Davos drew 2,800 leaders."]
    assert joined.feature("kind_near") == 1.0  # "new clusters" counts clusters, not "new"
    assert leaders.feature("kind_near") == 0.0


@pytest.mark.parametrize(
    ("question", "target"),
    [
        ("How many jobs did the project create?", True),  # a plan's figure is not the result asked for
        ("How many jobs was the project said to create?", False),
        ("How many jobs could the project create?", False),
        ("What is the project's jobs target?", False),
        ("How many jobs had the project created by May 2024?", True),  # a month, not "may"
        ("How many jobs were created due to the project?", True),  # a cause, not a schedule
    ],
)
def test_a_plans_figure_answers_a_question_about_what_is_expected(
    embedder: Embedder, question: str, target: bool
) -> None:
    jobs = found(question, embedder)["The project is expected to create 6,000 new jobs by 2030."]
    assert jobs.target is target
