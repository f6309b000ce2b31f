"""Keep the index in step with the corpus folder: one debounced ingest pass per burst of changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ingest.indexer import run_ingest
from ingest.scan import is_hidden
from rag.config import AppConfig
from rag.index.embedder import Embedder
from rag.index.store import Store
from rag.types import IngestReport


def _relevant(_change: object, path: str) -> bool:
    return not any(is_hidden(part) for part in Path(path).parts)


def watch_corpus(
    config: AppConfig,
    store: Store,
    embedder: Embedder,
    on_report: Callable[[IngestReport], None],
    stop: threading.Event | None = None,
    debounce_ms: int = 1000,
) -> None:
    """Run a pass now, then one after each burst of file changes, until stop is set."""
    from watchfiles import watch

    on_report(run_ingest(config, store, embedder, wait=300))
    for _changes in watch(
        config.corpus_dir, watch_filter=_relevant, debounce=debounce_ms, stop_event=stop, raise_interrupt=False
    ):
        on_report(run_ingest(config, store, embedder, wait=300))
