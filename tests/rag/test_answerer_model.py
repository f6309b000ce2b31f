"""The answerer's shipped models: well formed, and each feature pulls the way its name says."""

from __future__ import annotations

import pytest

from rag.answering.candidates import FEATURES
from rag.answering.model import load, parse


def test_the_shipped_models_read_the_features_the_answerer_computes() -> None:
    model = load()
    assert model.sentence.features == FEATURES
    assert len(model.answer.features) == len(model.answer.coef)
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
