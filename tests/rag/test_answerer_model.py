"""The answerer's shipped models: well formed, and each feature pulls the way its name says."""

from __future__ import annotations

import pytest

from rag.answering.candidates import FEATURES
from rag.answering.extractive import ANSWER_FEATURES, holds_kind, runner_up
from rag.answering.model import load, parse
from rag.answering.question import analyse


def test_the_shipped_models_read_the_features_the_answerer_computes() -> None:
    model = load()
    assert model.sentence.features == FEATURES
    assert model.answer.features == ANSWER_FEATURES
    assert 0.0 < model.threshold < 1.0


def test_a_sentence_close_to_the_question_that_states_what_it_asks_scores_higher() -> None:
    sentence = load().sentence
    good = dict.fromkeys(FEATURES, 1.0) | {"novelty": 0.5, "rarest_missing": 0.0}
    poor = good | {"similarity": 0.1, "context_similarity": 0.1, "coverage": 0.0, "context_coverage": 0.1}
    assert sentence.probability([good[f] for f in FEATURES]) > sentence.probability([poor[f] for f in FEATURES])


def test_a_malformed_model_is_refused() -> None:
    raw = {
        "sentence": {"features": ["similarity"], "coef": [1.0, 2.0], "intercept": 0.0},
        "answer": {"features": [], "coef": [], "intercept": 0.0},
        "threshold": 0.5,
    }
    with pytest.raises(ValueError, match="one coefficient"):
        parse(raw)


def test_a_candidate_that_backs_up_the_best_does_not_narrow_its_lead() -> None:
    best = "The hub will receive up to $1.2 billion, the most any hub will receive."
    ranked = [
        (0.5, best),
        (0.45, "The hub will receive up to $1.2 billion, the most any hub will receive, per the release."),
        (0.4, "Representing the region, the hub gets $1.2 billion to build out its production."),
        (0.2, "The smallest award, $750 million, went to another hub in 2023."),
        (0.1, "Seven hubs were chosen."),
    ]
    assert runner_up(ranked) == 0.2  # the same sentence again, and the same figure, back it up
    assert runner_up([ranked[0], ranked[3]]) == 0.2
    assert runner_up([(0.5, "Seven hubs in 2023."), (0.3, "Ten hubs in 2023.")]) == 0.3  # a year is no figure
    assert runner_up([(0.5, best)]) == 0.0
    tested = "Goodwill is tested for impairment annually as of October 1."
    assert runner_up([(0.5, tested), (0.3, "The latest test, as of October 1, 2022, found no impairment.")]) == 0.0


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        ("How much was the cluster awarded?", "The cluster was awarded £1.5m by the challenge.", True),
        ("How many companies lead the project?", "Two companies lead the project.", True),
        ("How many members does the cluster have?", "The cluster was founded in 2021 by the port.", False),  # a date
        ("How many women work at Downer?", "Gender representation metrics were as follows:", False),
        ("How many women work at Downer?", "As at 30 June 2022, its gender metrics were as follows:", False),  # a day
        ("How many staff did it have on 30 June?", "It had 1,204 staff on 30 June 2022.", True),
        ("How much does it cost to join?", "Its members work next to one another.", False),  # a pronoun, no count
        ("How much does it cost to join?", "In 2025, 33 clusters had joined.", False),  # a count, not a sum of money
        ("How much does it cost to join?", "Joining costs EUR 5,000 a year.", True),
        ("How much federal funding did the hub get?", "The hub was selected for up to $1.2 billion.", True),
        ("How much will the hub cost?", "It is put at CAD 16.5bn by 2030.", True),  # a code, not a sign
        ("How much funding is planned?", "It is to receive 317.7 billion won over 2024-2028.", True),
        ("Did it say how much investment the hub needs?", "It gave no financial details.", True),  # yes or no
        ("What was the purchase price?", "It bought 120 hectares of land.", False),
        ("How much CO2 will the hub store?", "It will store 1.5 million tonnes a year.", True),  # no money asked
        ("By how much did its costs rise?", "Its costs rose by 12% in 2022.", True),  # a change, not a sum
        ("How many partners lead it?", "One partner leads it.", True),
        ("How large were its Scope 1 and 2 emissions?", "It has measured its Scope 1 and 2 emissions.", False),  # asked
        ("How large were its Scope 1 and 2 emissions?", "Its Scope 1 and 2 emissions were 41,000 tCO2e.", True),
        ("When did the Spanish takeover end?", "The Spanish takeover was complete by 1769.", True),
        ("When do members decide on motions?", "Members decide on the motions at 5 pm.", True),
        ("When does General Question Time take place?", "General Question Time takes place on Thursday.", True),
        ("When did the bank buy the brand?", "The acquisition added a new brand to the bank.", False),
        ("Who chairs the audit committee?", "The Audit Committee is chaired by Jane Smith.", True),
        ("Who chairs the audit committee?", "The Audit Committee met four times in 2022.", False),  # no one named
        ("Who is CoreCard's legal counsel?", "Legal Counsel", False),
        ("Who is CoreCard's legal counsel?", "Its counsel is Ledbetter Wanamaker Glass LLP.", True),
        ("Which stage are the loans in?", "The loans are classified as stage 3.", True),  # "which": no form to check
        ("What are the initiative's four pillars?", "They are partnerships, policy, finance and technology.", True),
        ("Why did costs rise?", "The acquisition added a new brand to the bank.", True),  # a reason has no form
    ],
)
def test_only_a_sentence_that_can_state_the_kind_asked_for_answers(question: str, sentence: str, holds: bool) -> None:
    assert holds_kind(analyse(question), sentence) is holds
