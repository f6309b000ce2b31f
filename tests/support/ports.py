"""Servers started by tests: a free loopback port, and waiting until a page answers there."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Return once `url` answers; fail at once if the process exits, or after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up (exit code {process.poll()})")


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """Terminate a server process; kill it if it has not exited after `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
