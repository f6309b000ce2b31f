"""Answers on the shipped corpus: key facts, the right sources, abstention, and grounding properties."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answering.assistant import Assistant
from rag.answering.extractive import ABSTAIN_TEXT
from rag.answering.verify import MARKER
from rag.eval.testset import load_testset
from rag.numbers import numbers, same_number

TESTSET = Path(__file__).resolve().parents[1] / "data" / "testset.jsonl"

# (kind, question, history, key fact the answer must state, a document that must be cited).
# The general answerer (issue 12) is fitted on real documents, not on these; the shipped-corpus questions
# it now misses are listed in BENCHMARKS.md ("Answers on real documents") rather than asserted here.
CASES = [
    ("fact", "Where and when was the Transitioning Industrial Clusters initiative launched?", [], "COP26", None),
    ("fact", "Which organisations did the Forum develop the initiative with?", [], "Accenture", None),
    ("fact", "What share of the hydrogen produced in the US does LFEC use?", [], "30%", None),
    (
        "fact",
        "Who heads the Forum's centre for energy, materials and infrastructure?",
        [],
        "Roberto Bocca",
        "2024-01-progress-report.pdf",
    ),
    ("number", "What GDP contribution did the eight clusters report in May 2022?", [], "$182 billion", None),
    ("number", "How many jobs did the member clusters support in January 2024?", [], "3.4 million", None),
    ("number", "What emissions-reduction potential did the network have in January 2024?", [], "626 million", None),
    (
        "number",
        "What share of global CO2 do industrial clusters emit, according to the launch estimate?",
        [],
        "15-20%",
        None,
    ),
    ("list", "Which clusters were the founding members of the initiative?", [], "Kwinana", None),
    ("temporal", "How many clusters are in the initiative?", [], "33", None),
    ("temporal", "How many member clusters does the initiative have?", [], "33", None),  # the oldest count ranks first
    ("temporal", "How many jobs do the member clusters create or protect?", [], "4.3 million", None),
    (
        "comparison",
        "How did the GDP contribution change between January 2024 and January 2025?",
        [],
        "$492 billion",
        "2025-01-annual-update.docx",
    ),
    (
        "follow-up",
        "And which one is in France?",
        [
            {"role": "user", "content": "Which clusters joined in January 2024?"},
            {"role": "assistant", "content": "TEDA, DKarbonation and LFEC joined in January 2024."},
        ],
        "DKarbonation",
        None,
    ),
    (
        "follow-up",
        "How much of the country's hydrogen does it use?",
        [
            {"role": "user", "content": "Which US cluster signed up in January 2024?"},
            {"role": "assistant", "content": "The Louisiana Future Energy Cluster (LFEC)."},
        ],
        "30%",
        None,
    ),
]
UNANSWERABLE = [
    "How many member clusters did the initiative have in January 2026?",
    "How much does it cost a cluster to join?",
]


@pytest.mark.parametrize(("kind", "question", "history", "fact", "doc"), CASES, ids=[c[1][:40] for c in CASES])
def test_answer_states_the_key_fact_and_cites_the_source(
    assistant: Assistant, kind: str, question: str, history: list[dict[str, str]], fact: str, doc: str | None
) -> None:
    answer = assistant.answer(question, history)
    assert not answer.abstained, f"{kind}: abstained"
    assert fact.lower() in answer.text.lower(), answer.text
    cited = {c.passage.doc_id for c in answer.citations}
    if doc:
        assert doc in cited, cited
    assert any(fact.lower() in c.passage.text.lower() for c in answer.citations), "the fact is not in a cited passage"


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_questions_abstain_with_nearest_sources(assistant: Assistant, question: str) -> None:
    answer = assistant.answer(question)
    assert answer.abstained, answer.text
    assert answer.text == ABSTAIN_TEXT
    assert answer.citations == []
    assert answer.nearest, "the closest passages are still returned"


def test_a_compound_question_gets_the_part_the_documents_answer_and_names_the_part_they_do_not(
    assistant: Assistant,
) -> None:
    answer = assistant.answer(
        "How much does it cost a cluster to join, and which organisations did the Forum develop the initiative with?"
    )
    assert not answer.abstained, answer.text
    assert answer.text.startswith("No clear answer found to the question's first part. ")
    assert "Accenture" in answer.text and [c.n for c in answer.citations] == [1]
    assert "Accenture" in answer.citations[0].quote


def test_grounding_properties_hold_on_every_test_question(assistant: Assistant) -> None:
    """Each [n] resolves; every number is stated by a cited passage; citations were retrieved."""
    for item in load_testset(TESTSET):
        answer = assistant.answer(item.question, [dict(t) for t in item.history])
        by_n = {c.n: c for c in answer.citations}
        markers = [int(n) for n in MARKER.findall(answer.text)]
        assert set(markers) == set(by_n), (item.id, answer.text)
        retrieved = {p.chunk_id for p in answer.retrieved}
        assert {c.passage.chunk_id for c in answer.citations} <= retrieved, item.id
        for line in answer.text.split("\n"):
            cited = [by_n[int(n)] for n in MARKER.findall(line)]
            label, _, body = (
                line.partition("): ") if line.startswith(("Most recent (", "Earlier (")) else ("", "", line)
            )
            evidence = " ".join(c.passage.text for c in cited)
            stated = numbers(evidence, words=True)
            for value in numbers(MARKER.sub("", body)):
                assert any(same_number(value, s) for s in stated), (item.id, value, line)
            for c in cited:
                assert c.quote in " ".join(c.passage.text.split()), (item.id, c.quote)


def test_newest_value_leads_with_its_date_then_earlier_ones(assistant: Assistant) -> None:
    answer = assistant.answer("How many clusters are in the initiative?")
    lines = answer.text.split("\n")
    assert lines[0].startswith("Most recent (January 2025)"), answer.text
    assert len(lines) >= 3 and all(line.startswith("Earlier (") for line in lines[1:])
    months = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    periods = []
    for line in lines:
        month, year = re.match(r"\w+(?: \w+)? \((\w+) (\d{4})\)", line).groups()
        periods.append((int(year), months.index(month.lower())))
    assert periods == sorted(periods, reverse=True), "newest first"
    assert "33" in lines[0]


def test_filters_restrict_the_evidence(assistant: Assistant) -> None:
    from rag.answering.retrieve import make_filters

    early = assistant.answer("How many members does the initiative have?", filters=make_filters(until="2022"))
    assert early.citations and all(c.passage.date <= "2022-12-31" for c in early.citations)
    assert all(p.date and p.date <= "2022-12-31" for p in early.retrieved)

    only_pdf = assistant.answer("What holds back financing for clusters?", filters=make_filters(formats=["pdf"]))
    assert {p.format for p in only_pdf.retrieved} == {"pdf"}

    one_doc = make_filters(doc_ids=["2024-10-saraburi-joins.md"])
    answer = assistant.answer("Which cluster joined in October 2024?", filters=one_doc)
    assert {p.doc_id for p in answer.retrieved} == {"2024-10-saraburi-joins.md"}
    assert "Saraburi" in answer.text


def test_bad_filters_are_refused() -> None:
    from rag.answering.retrieve import make_filters
    from rag.errors import QueryError

    with pytest.raises(QueryError, match="not a date"):
        make_filters(since="last year")
    with pytest.raises(QueryError, match="empty"):
        make_filters(since="2025", until="2024")
    with pytest.raises(QueryError, match="unknown format"):
        make_filters(formats=["xlsx"])
    assert make_filters(since="2024-02", until="2024-02").until == "2024-02-29"
