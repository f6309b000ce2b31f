"""The ONNX Runtime encoder: the exported MiniLM graph, `tokenizers` for the tokens; no torch at run time.

The export is made once per machine and weights (`prepare`), cached under `<cache>/onnx/<weights sha256>-v<N>/`
where `<cache>` is setting `model_cache_dir` (default `$XDG_CACHE_HOME/clusterqa`, else `~/.cache/clusterqa`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Bump when the export recipe (graph, pooling, fusions) changes: older exports are then made again.
EXPORT_VERSION = 1
WEIGHTS = "model.safetensors"
HASHES = "weights-sha256.json"


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "clusterqa"


def weights_sha256(weights: Path, cache_dir: Path) -> str:
    """SHA-256 of the weights file, remembered by path, size and mtime so a process does not re-read 90 MB."""
    stat = weights.stat()
    key = f"{weights.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    memo_file = cache_dir / HASHES
    memo: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
    if key in memo:
        return memo[key]
    digest = hashlib.sha256()
    with weights.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    memo[key] = digest.hexdigest()
    with contextlib.suppress(OSError):  # a read-only cache only costs the hash next time
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(memo_file, json.dumps(memo, indent=1).encode())
    return memo[key]


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def export_path(model_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / "onnx" / f"{weights_sha256(model_dir / WEIGHTS, cache_dir)}-v{EXPORT_VERSION}" / "model.onnx"


def prepare(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """The cached ONNX export of the weights in model_dir, made now (torch, some seconds) if missing."""
    from rag.index.onnx_export import export

    target = export_path(model_dir, cache_dir or default_cache_dir())
    return made_once(target, lambda partial: export(model_dir, partial), "the model")


def made_once(target: Path, make: Callable[[Path], None], what: str) -> Path:
    """`target`, made now by `make` (given a partial path, renamed on success) if it is missing. Two processes
    on first use: one makes it, the other waits."""
    from filelock import FileLock

    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / "export.lock")):
        if not target.exists():
            print(f"clusterqa: exporting {what} to ONNX once, into {target.parent}", file=sys.stderr, flush=True)
            partial = target.with_name(f"partial-{uuid.uuid4().hex}.onnx")
            try:
                make(partial)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
    return target


def open_session(path: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxEncoder:
    """Normalised mean-pooled vectors from the exported graph, as sentence-transformers computes them."""

    def __init__(self, graph: Path, model_dir: Path, window: int, dimension: int) -> None:
        from tokenizers import Tokenizer

        self.dimension = dimension
        self.session = open_session(graph)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(window)  # as sentence-transformers truncates to max_seq_length
        self.tokenizer.enable_padding()  # to the longest text of each batch

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        # Longest first, as sentence-transformers does: texts of a batch have similar lengths, little padding.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            vectors[rows] = self.session.run(None, feed)[0]
        return vectors
