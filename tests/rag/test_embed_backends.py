"""The ONNX encoder against sentence-transformers: same vectors, same tokens, same rankings, shared indexes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from ingest.chunker import chunk_document
from ingest.loaders import load_document
from rag.answering.assistant import Assistant
from rag.app import build_context
from rag.index.embedder import Embedder, load_sentence_transformer, model_dir
from rag.index.onnx import EXPORT_VERSION, HASHES, WEIGHTS, prepare
from tests.conftest import CORPUS
from tests.rag.conftest import shipped_assistant

TESTSET = Path(__file__).resolve().parents[1] / "data" / "testset.jsonl"
MIN_COSINE = 0.9999


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(backend="torch")


@pytest.fixture(scope="module")
def texts(embedder: Embedder) -> list[str]:
    """Chunks of the shipped corpus at three sizes: a few hundred texts of 10 to 200 tokens."""
    docs = [load_document(path, path.name, 50 << 20) for path in sorted(CORPUS.rglob("*")) if path.is_file()]
    found = {c.text for doc in docs for size in (200, 80, 30) for c in chunk_document(doc, embedder, size, size // 4)}
    return sorted(found)


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [json.loads(line)["question"] for line in TESTSET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_onnx_vectors_match_sentence_transformers(
    embedder: Embedder, torch_embedder: Embedder, texts: list[str]
) -> None:
    assert embedder.backend == "onnx" and len(texts) >= 300
    onnx, torch = embedder.encode(texts), torch_embedder.encode(texts)
    assert onnx.shape == torch.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(onnx * torch, axis=1)
    assert cosines.min() >= MIN_COSINE, texts[int(cosines.argmin())]


def test_token_counts_match_the_transformers_tokenizer(embedder: Embedder, texts: list[str]) -> None:
    reference = load_sentence_transformer().tokenizer(texts, add_special_tokens=False)["input_ids"]
    assert embedder.count_tokens(texts) == [len(ids) for ids in reference]
    offsets = load_sentence_transformer().tokenizer(texts[0], add_special_tokens=False, return_offsets_mapping=True)
    assert embedder.token_offsets(texts[0]) == [tuple(span) for span in offsets["offset_mapping"]]


@pytest.fixture(scope="module")
def by_torch(tmp_path_factory: pytest.TempPathFactory, torch_embedder: Embedder) -> Assistant:
    return shipped_assistant(tmp_path_factory.mktemp("torch-index"), torch_embedder)


@pytest.fixture(scope="module")
def by_onnx(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Assistant:
    return shipped_assistant(tmp_path_factory.mktemp("onnx-index"), embedder)


def test_an_index_built_by_one_backend_answers_queries_embedded_by_the_other(
    by_torch: Assistant, by_onnx: Assistant, embedder: Embedder, torch_embedder: Embedder, questions: list[str]
) -> None:
    stored_torch, stored_onnx = by_torch.store.vectors(), by_onnx.store.vectors()
    assert stored_torch.keys() == stored_onnx.keys()
    assert min(float(np.dot(stored_torch[i], stored_onnx[i])) for i in stored_torch) >= MIN_COSINE
    onnx_queries, torch_queries = embedder.encode(questions), torch_embedder.encode(questions)
    for store in (by_torch.store, by_onnx.store):
        for question, onnx_vector, torch_vector in zip(questions, onnx_queries, torch_queries, strict=True):
            onnx_top = [p.chunk_id for p in store.query(onnx_vector, 10)]
            torch_top = [p.chunk_id for p in store.query(torch_vector, 10)]
            assert len(onnx_top) == 10 and onnx_top == torch_top, question
    # Whole answers too: the torch-built index asked through the ONNX backend, as after a change of the setting.
    question = "Which cluster became the 21st member?"
    switched = build_context(by_torch.config, embedder).assistant
    assert "Saraburi" in switched.answer(question).text
    cited = [
        [(c.passage.chunk_id, c.quote) for c in a.citations]
        for a in (switched.answer(question), by_torch.answer(question))
    ]
    assert cited[0] and cited[0] == cited[1]


def test_the_export_is_cached_by_the_weights_hash(tmp_path: Path) -> None:
    graph = prepare(model_dir(), tmp_path)
    weights_hash = hashlib.sha256((model_dir() / WEIGHTS).read_bytes()).hexdigest()
    assert graph == tmp_path / "onnx" / f"{weights_hash}-v{EXPORT_VERSION}" / "model.onnx" and graph.stat().st_size
    assert weights_hash in json.loads((tmp_path / HASHES).read_text()).values()
    made = graph.stat().st_mtime_ns
    assert prepare(model_dir(), tmp_path) == graph and graph.stat().st_mtime_ns == made  # not made again
    assert [p.name for p in graph.parent.iterdir() if p.suffix == ".onnx"] == ["model.onnx"]  # no leftovers
