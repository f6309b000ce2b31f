"""ClusterQA's core: settings, embedder, store, retrieval, answering and evaluation.

`rag.answer(question, history=None, filters=None)` answers with the settings of the environment
(CLUSTERQA_*, clusterqa.toml); the model and store are opened on first use, once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.types import Answer, Filters


@lru_cache(maxsize=1)
def default_assistant() -> Assistant:
    from rag.assistant import Assistant
    from rag.config import AppConfig
    from rag.embedder import Embedder
    from rag.store import Store

    config = AppConfig()
    embedder = Embedder(config.model, config.embed_batch_size)
    return Assistant(config, embedder, Store(config, embedder))


def answer(question: str, history: Sequence[dict[str, str]] | None = None, filters: Filters | None = None) -> Answer:
    """Answer a question from the indexed documents, with citations (see rag.types.Answer)."""
    return default_assistant().answer(question, history, filters)
