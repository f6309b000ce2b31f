"""The answer verifier: reads question and sentence together, runs as ONNX with torch's verdicts, refuses a bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.answering.extractive import RERANKED, verified_order
from rag.answering.question import analyse
from rag.answering.verifier import ADAPTER_FILE, EXPORT_VERSION, Verifier, encode_pairs, loaded, pair_tokenizer
from rag.errors import ConfigError

# Each question with a sentence that states its answer and one on the same topic that does not.
PAIRS = [
    (
        "How many people does the Teesside carbon capture plant employ?",
        "The Teesside carbon capture plant employs 420 people at its site near Redcar.",
        "The Teesside carbon capture plant was opened by the regional mayor at its site near Redcar.",
    ),
    (
        "When did the port sign its hydrogen supply agreement?",
        "The port signed its hydrogen supply agreement with two producers on 14 March 2023.",
        "The port says a hydrogen supply agreement would help its tenants cut their emissions.",
    ),
    (
        "Who chairs the cluster's steering board?",
        "The cluster's steering board is chaired by Maria Jensen, a former energy minister.",
        "The cluster's steering board meets four times a year to review the projects.",
    ),
]


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Verifier:
    return Verifier(tmp_path_factory.mktemp("cache"))


def test_a_sentence_stating_the_answer_is_judged_likelier_than_one_on_the_same_topic(verifier: Verifier) -> None:
    for question, stating, on_topic in PAIRS:
        states, does_not = verifier.probabilities(question, [stating, on_topic])
        assert states > does_not, (question, states, does_not)


def test_a_sentence_stating_the_answer_leads_one_the_sentence_model_ranked_first(verifier: Verifier) -> None:
    # The sentence model nearly ties them: the verdicts decide.
    for question, stating, on_topic in PAIRS:
        order, verdicts = verified_order(analyse(question), [(0.52, on_topic), (0.5, stating)], verifier)
        assert order == [1, 0], (question, verdicts)
    # Only the first few are read again: a sentence past them keeps its place, whatever it states.
    question, stating, on_topic = PAIRS[0]
    ranked = [(0.9 - 0.1 * i, on_topic) for i in range(RERANKED)] + [(0.1, stating)]
    order, verdicts = verified_order(analyse(question), ranked, verifier)
    assert order[-1] == RERANKED and len(verdicts) == RERANKED
    # A question naming a year keeps the sentence model's order, which weighs the year (the verifier does not).
    question, stating, on_topic = PAIRS[1]
    order, _ = verified_order(analyse(f"{question[:-1]} in 2023?"), [(0.52, on_topic), (0.5, stating)], verifier)
    assert order == [0, 1]


def test_the_onnx_graph_gives_torch_verdicts_and_is_made_once(verifier: Verifier) -> None:
    import torch

    questions = [q for q, _, _ in PAIRS for _ in (0, 1)]
    sentences = [s for _, stating, on_topic in PAIRS for s in (stating, on_topic)]
    sentences[-1] = " ".join([sentences[-1]] * 20)  # past the pair's token limit: cut, not refused
    feed = encode_pairs(pair_tokenizer(), questions, sentences)
    with torch.no_grad():
        logits = loaded(ADAPTER_FILE)(**{k: torch.from_numpy(v) for k, v in feed.items()}).numpy()
    reference = 1 / (1 + np.exp(-logits))
    got = [p for q, s in zip(questions, sentences, strict=True) for p in verifier.probabilities(q, [s])]
    assert np.allclose(got, reference, atol=1e-3)
    graph = verifier.prepare()
    assert graph.name == "model.onnx" and graph.parent.name.endswith(f"-v{EXPORT_VERSION}")
    made = graph.stat().st_mtime_ns
    assert Verifier(verifier.cache_dir).prepare() == graph and graph.stat().st_mtime_ns == made  # not made again


def test_an_adapter_file_that_does_not_fit_the_model_is_refused(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    bad = tmp_path / "verifier.safetensors"
    save_file({"head.weight": torch.zeros(1, 384)}, str(bad))
    with pytest.raises(ConfigError, match="fit_verifier"):
        Verifier(tmp_path, adapter_file=bad).probabilities("Who leads it?", ["The port leads it."])
