"""ClusterQA's core: settings, the index (embedder, store, BM25), answering and evaluation.

`rag.answer(question, history=None, filters=None)` answers, `rag.search(query, k=None, filters=None)` lists
the best-matching passages without answering, both with the settings of the environment
(CLUSTERQA_*, clusterqa.toml); the model and store are opened on first use, once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.app import AppContext
    from rag.types import Answer, Filters, Passage


@lru_cache(maxsize=1)
def default_context() -> AppContext:
    from rag.app import build_context
    from rag.config import AppConfig

    return build_context(AppConfig())


def answer(question: str, history: Sequence[dict[str, str]] | None = None, filters: Filters | None = None) -> Answer:
    """Answer a question from the indexed documents, with citations (see rag.types.Answer)."""
    return default_context().assistant.answer(question, history, filters)


def search(query: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
    """The k passages that best match the query, best first (see rag.types.Passage.as_json); no answer."""
    return default_context().assistant.search(query, k, filters)
