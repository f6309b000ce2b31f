"""The one function that wires the app: configuration, embedder and store, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from rag.config import AppConfig
from rag.embedder import Embedder
from rag.store import Store


@dataclass
class AppContext:
    config: AppConfig
    embedder: Embedder
    store: Store


def build_context(config: AppConfig, embedder: Embedder | None = None) -> AppContext:
    """Wire the app; a caller that already holds a loaded embedder (tests, a server) passes it in."""
    embedder = embedder or Embedder(config.model, config.embed_batch_size)
    return AppContext(config=config, embedder=embedder, store=Store(config, embedder))
