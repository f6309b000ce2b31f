"""One index of the shipped corpus per test module: building it is the slow part."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.indexer import run_ingest
from rag.answering.assistant import Assistant
from rag.app import build_context
from rag.config import AppConfig
from rag.index.embedder import Embedder
from tests.conftest import CORPUS
from tests.support.cli import clusterqa_env


def shipped_assistant(folder: Path, embedder: Embedder, **settings: object) -> Assistant:
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    ctx = build_context(AppConfig(corpus_dir=corpus, index_dir=folder / "index", **settings), embedder)
    report = run_ingest(ctx.config, ctx.store, ctx.embedder)
    assert not report.failed
    return ctx.assistant


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Assistant:
    return shipped_assistant(tmp_path_factory.mktemp("shipped"), embedder)


@pytest.fixture(scope="module")
def env(assistant: Assistant) -> dict[str, str]:
    """The environment of a `clusterqa` subprocess over the shipped corpus's index."""
    return clusterqa_env(assistant.config.corpus_dir, assistant.config.index_dir)
