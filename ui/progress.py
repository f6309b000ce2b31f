"""Progress bars for long CLI work (ingest, eval), on stderr when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def progress_callback(enabled: bool) -> Callable[[str, int, int], None] | None:
    """A tqdm bar per stage on stderr, when stderr is a terminal."""
    if not enabled:
        return None
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total,
                desc=stage,
                unit=" chunks" if stage == "embedding" else " files",
                file=sys.stderr,
                leave=False,
            )
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update
