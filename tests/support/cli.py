"""Run the real `clusterqa` command in a subprocess with a given environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NETGUARD = Path(__file__).parent / "netguard"


def clusterqa_env(corpus: Path, index: Path, netlog: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERQA_")}
    env.update(CLUSTERQA_CORPUS_DIR=str(corpus), CLUSTERQA_INDEX_DIR=str(index), **extra)
    if netlog is not None:
        env["PYTHONPATH"] = str(NETGUARD)
        env["NETGUARD_LOG"] = str(netlog)
    return env


def run_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
