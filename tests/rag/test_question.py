"""Question analysis reads the question's own form: no word list of one corpus."""

from __future__ import annotations

import pytest

from rag.answering.question import analyse, names, parts, wanted_kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many clusters are in the initiative?", "number"),
        ("What was the price of oil in March of 1974?", "number"),
        ("When did the 1973 oil crisis begin?", "date"),
        ("Who heads the centre for energy?", "person"),
        ("Does the company have a net-zero target? If yes, detail them.", "yes-no"),
        ("Which clusters were the founding members?", "list"),
        ("Where was the initiative launched?", "any"),
        ("Why did the company write off the amounts Jimu owed it?", "reason"),
        ("What was the reason for the 12% fall in revenue?", "reason"),
        ("When HyNet secured its funding in 2021, how many jobs was it said to create?", "number"),
        ("As of the 2025 announcement, who led the initiative?", "person"),
        ("How many clusters had joined when the report came out?", "number"),
        ("When the plan was approved, what year was the plant to open?", "date"),
        ("What gender pay gap did the company report for 2022?", "number"),
        ("At what three levels does the initiative deliver outcomes?", "any"),  # the count is given: which ones
        ("What one-off costs did the company book in 2022?", "number"),
        ("What equity stake does the government hold in the project?", "number"),
        ("What factors drove the cost increase?", "any"),
        ("What is the resultant force called when two forces act on a particle?", "any"),
        ("How much did the hub cost, and when is it due to open?", "number"),
        ("Is the trial blinded, or do patients and investigators know who gets the drug?", "yes-no"),
        ("Did ExxonMobil join the hub? How much CO2 will it store?", "number"),  # its parts are read alone
        ("Can you tell me how many jobs the hub will create?", "number"),  # a request, not a yes/no question
    ],
)
def test_the_kind_of_value_comes_from_the_wording(question: str, kind: str) -> None:
    assert wanted_kind(question) == kind


def test_names_years_and_the_counted_noun() -> None:
    q = analyse("How many jobs did Saraburi Sandbox report in 2024?")
    assert q.names == ("saraburi", "sandbox")
    assert q.years == ("2024",)
    assert q.counted == ("job",)
    assert analyse("How many new clusters joined in 2023?").counted == ("new", "cluster")  # up to its plural noun
    assert analyse("How much federal funding did the hub get?").counted == ("federal", "fund")
    assert analyse("What did the hub cost?").counted == ()
    assert names("What did the Forum say in January?") == ("forum",)


def test_a_follow_up_inherits_the_previous_question() -> None:
    history = [
        {"role": "user", "content": "Which US cluster signed up in January 2024?"},
        {"role": "assistant", "content": "The Louisiana Future Energy Cluster (LFEC)."},
    ]
    q = analyse("How much of the country's hydrogen does it use?", history)
    assert "Louisiana" in q.search_text and q.years == ("2024",)
    assert "cluster" in q.terms and "hydrogen" in q.terms
    assert analyse("How much hydrogen does LFEC use?", history).search_text == "How much hydrogen does LFEC use?"


def test_inside_its_document_a_question_loses_the_names_that_routed_it() -> None:
    asked = analyse("What was the Gross margin (%) for Armadale Capital Plc according to the annual report?")
    inside = asked.inside(frozenset({"armadal", "plc"}))
    assert "armadal" in asked.terms and "armadal" in asked.names and "armadale" in asked.resolved.lower()
    assert "armadal" not in inside.terms and "plc" not in inside.names and "armadale" not in inside.resolved
    assert {"gros", "margin"} <= set(inside.terms) and inside.wants == asked.wants
    only_name = analyse("Armadale?")
    assert only_name.inside(frozenset({"armadal"})) is only_name  # nothing else to ask: kept as asked


def test_a_compound_question_reads_as_its_parts_each_with_its_kind_and_the_whole_questions_names() -> None:
    q = analyse("How much did the South Wales Industrial Cluster receive, and which firm is leading the project?")
    first, second = parts(q)
    assert first.text == "How much did the South Wales Industrial Cluster receive" and first.wants == "number"
    assert second.text == "which firm is leading the project" and second.resolved == second.text
    assert {"firm", "lead", "project"} <= set(second.terms) and set(q.names) <= set(second.terms)
    assert "receiv" not in second.terms and "firm" not in first.terms
    two_sentences = analyse("Did ExxonMobil join the Houston hub in 2021? How much CO2 did the group aim to store?")
    assert [p.wants for p in parts(two_sentences)] == ["yes-no", "number"]
    assert parts(two_sentences)[1].years == ("2021",)  # a part naming no year keeps the question's


@pytest.mark.parametrize(
    "question",
    [
        "When and where was the initiative launched?",  # one thing asked
        "How many clusters joined in 2024?",
        "What was the value of Total deposits? If data is not available, return 'N/A'.",  # a condition, not a part
    ],
)
def test_a_question_that_asks_one_thing_is_one_part(question: str) -> None:
    q = analyse(question)
    assert parts(q) == [q]


def test_a_follow_up_is_not_split_from_the_exchange_it_continues() -> None:
    history = [{"role": "user", "content": "Which clusters joined in 2024?"}, {"role": "assistant", "content": "TEDA."}]
    q = analyse("And how many jobs do they support, and when did they join?", history)
    assert parts(q) == [q]
