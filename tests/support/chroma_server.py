"""A real `chroma run` server on loopback, started and stopped by a test."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port, stop


@contextmanager
def chroma_server(data_dir: Path) -> Iterator[int]:
    """Yield the port of a Chroma server persisting into data_dir."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    port = free_port()
    log = (data_dir.parent / "chroma-server.log").open("w")
    proc = subprocess.Popen(
        [executable, "run", "--path", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start: {log.name}") from None
                time.sleep(0.2)
        yield port
    finally:
        stop(proc, 20)
        log.close()
