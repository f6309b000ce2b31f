"""`python -m tests.support.traced_cli ARGS` runs `clusterqa ARGS`, announcing every index write on stderr.

Each write prints `store <step>` (each embedding batch `model encode`), flushed, just before it starts,
so a test can SIGKILL the process at a chosen write, or a few milliseconds into it. Nothing else
changes: the writes themselves are the real ones.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.store import Store

STEPS = (
    "mark_dirty",
    "add_chunks",
    "put_document",
    "delete_documents",
    "delete_chunks",
    "copy_chunks",
    "commit_generation",
)


def _announce(step: str, method: Callable[..., Any], kind: str = "store") -> Callable[..., Any]:
    @functools.wraps(method)
    def traced(*args: Any, **kwargs: Any) -> Any:
        print(f"{kind} {step}", file=sys.stderr, flush=True)
        return method(*args, **kwargs)

    return traced


def install() -> None:
    for step in STEPS:
        setattr(Store, step, _announce(step, getattr(Store, step)))
    LexicalIndex.save = _announce("bm25_save", LexicalIndex.save)  # type: ignore[method-assign]
    Embedder.encode = _announce("encode", Embedder.encode, "model")  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    from ui.cli import main

    sys.exit(main(sys.argv[1:]))
