"""Shared fixtures: the real embedding model (loaded once), real Chroma in temporary folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.app import AppContext, build_context
from rag.config import AppConfig
from rag.index.embedder import Embedder, force_offline

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"

force_offline()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's CLUSTERQA_* settings or clusterqa.toml."""
    for key in list(os.environ):
        if key.startswith("CLUSTERQA_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def make_context(embedder: Embedder, tmp_path: Path) -> Iterator[object]:
    """Build an AppContext over a corpus folder with its own index, sharing the loaded model."""

    def make(corpus: Path, index: Path | None = None, **settings: object) -> AppContext:
        config = AppConfig(corpus_dir=corpus, index_dir=index or tmp_path / "index", **settings)
        return build_context(config, embedder)

    yield make
