"""The one function that wires the app: configuration, embedder, store and assistant, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.assistant import Assistant
from rag.config import AppConfig
from rag.index.embedder import Embedder
from rag.index.store import Store


@dataclass
class AppContext:
    config: AppConfig
    embedder: Embedder
    store: Store
    assistant: Assistant


def build_context(config: AppConfig, embedder: Embedder | None = None) -> AppContext:
    """Wire the app; a caller that already holds a loaded embedder (tests, a server) passes it in.

    Cheap: the model and the Chroma client load on first use.
    """
    embedder = embedder or Embedder(config.model, config.embed_batch_size, config.embed_backend, config.model_cache_dir)
    store = Store(config, embedder)
    return AppContext(config, embedder, store, Assistant(config, embedder, store))
