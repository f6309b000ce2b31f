"""Indexes derived from the chunks (BM25, document cards), kept for the store generation they were built from."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from rag.types import Passage

DIRTY = "dirty-"


class Stamped(Protocol):
    @property
    def stamp(self) -> str: ...

    def save(self, path: Path) -> None: ...


T = TypeVar("T", bound=Stamped)


class Derived(Generic[T]):
    """One derived index: from memory, else from its file, else rebuilt from the chunks (and saved)."""

    def __init__(
        self, path: Path, load: Callable[[Path], T | None], build: Callable[[Iterable[Passage], str], T]
    ) -> None:
        self.path = path
        self._load = load
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self, stamp: str, passages: Callable[[], Iterable[Passage]]) -> T:
        with self._lock:
            if self._value is None or self._value.stamp != stamp:
                loaded = self._load(self.path)
                if loaded is None or loaded.stamp != stamp:
                    # Built elsewhere (a Chroma server shared by machines) or lost: rebuild from the chunks.
                    loaded = self._build(passages(), stamp)
                    if not stamp.startswith(DIRTY):  # mid-ingest, the ingest owns the file
                        with contextlib.suppress(OSError):
                            loaded.save(self.path)
                self._value = loaded
            return self._value

    def build_and_save(self, passages: Iterable[Passage], stamp: str) -> T:
        """For a new generation, before it is published (readers of the current one are left alone)."""
        value = self._build(passages, stamp)
        value.save(self.path)
        return value

    def keep(self, value: T | None) -> None:
        """Serve this from memory (None: nothing until the next read)."""
        with self._lock:
            self._value = value
