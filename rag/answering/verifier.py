"""Does this sentence state the answer to this question? The embedding model read as a cross-encoder.

The question and the sentence go through the packaged MiniLM together (question first, then the
sentence, as one input of two segments); low-rank adapters on its linear layers and a linear head over
the mean of its last layer say how likely the sentence states the answer. Only the adapters and the head
ship (`verifier.safetensors` beside this file, a few hundred kilobytes); the MiniLM weights are the ones
the embeddings use. Fitted by bench/fit_verifier.py (see BENCHMARKS.md, issue 12).

At run time the verifier is an ONNX graph (the adapters merged into the MiniLM weights, then exported as
the embeddings are: rag/index/onnx.py), made once per machine, weights and adapters, parity-checked
against torch; answering needs no torch.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ConfigError
from rag.index.embedder import model_dir

ADAPTER_FILE = Path(__file__).with_name("verifier.safetensors")
RANK = 8
ALPHA = 16.0
# Question and sentence together, in tokens. A longer pair is judged on its beginning (the longer of the two
# is cut first, so in practice the sentence's end): a verdict, not an embedding in the index.
MAX_TOKENS = 160
HIDDEN = 384
TARGETS = (
    "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
    "intermediate.dense", "output.dense",
)  # fmt: skip
# Bump when the export recipe changes: older exports are then made again.
EXPORT_VERSION = 1
PARITY_PAIRS = (
    ("How many clusters joined in 2024?", "Twenty clusters had joined the initiative by January 2024."),
    ("Who leads the hub?", "The port authority, with three partners, leads the hub's first phase of work."),
    ("When was it founded?", "Net zero."),
)
MAX_PARITY_GAP = 1e-3  # in probability


def build() -> Any:
    """The MiniLM encoder with freshly initialised adapters (a no-op until trained or loaded) and a head."""
    import torch
    from transformers import AutoModel

    class LowRank(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.down = torch.nn.Parameter(torch.randn(RANK, base.in_features) / base.in_features**0.5)
            self.up = torch.nn.Parameter(torch.zeros(base.out_features, RANK))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.base(x) + (x @ self.down.T @ self.up.T) * (ALPHA / RANK)

        def merged(self) -> torch.nn.Linear:
            with torch.no_grad():
                self.base.weight += (self.up @ self.down) * (ALPHA / RANK)
            return self.base

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # Eager attention traces to the pattern onnxruntime's optimizer fuses (as for the embeddings).
            self.encoder = AutoModel.from_pretrained(
                str(model_dir()), local_files_only=True, attn_implementation="eager"
            )
            for parameter in self.encoder.parameters():
                parameter.requires_grad = False
            _replace_targets(self.encoder, LowRank)
            self.head = torch.nn.Linear(HIDDEN, 1)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return self.head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

        def merge(self) -> None:
            """Fold the adapters into the weights they adapt: the same function, plain linear layers."""
            _replace_targets(self.encoder, lambda adapted: adapted.merged())

    return Model()


def _replace_targets(encoder: Any, replace: Any) -> None:
    """Each adapted linear layer of every MiniLM layer, replaced by what `replace` makes of it."""
    for layer in encoder.encoder.layer:
        for target in TARGETS:
            owner_path, _, name = target.rpartition(".")
            owner = layer.get_submodule(owner_path)
            setattr(owner, name, replace(getattr(owner, name)))


def trained_state(model: Any) -> dict[str, Any]:
    """What ships: the adapters and the head, not the frozen MiniLM."""
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def loaded(adapter_file: Path) -> Any:
    """The model with the shipped adapters and head; ConfigError if the file does not fit it."""
    from safetensors.torch import load_file

    model = build()
    state = load_file(str(adapter_file))
    if set(state) != set(trained_state(model)):
        raise ConfigError(f"{adapter_file} does not fit the verifier model (refit it with bench/fit_verifier.py)")
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    return model.eval()


def pair_tokenizer() -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    tokenizer.enable_padding()
    return tokenizer


def encode_pairs(tokenizer: Any, questions: Sequence[str], sentences: Sequence[str]) -> dict[str, np.ndarray[Any, Any]]:
    """The model's inputs for (question, sentence) pairs, padded to the longest."""
    encoded = tokenizer.encode_batch(list(zip(questions, sentences, strict=True)))
    return {
        "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
    }


def export_path(adapter_file: Path, cache_dir: Path) -> Path:
    from rag.index.onnx import WEIGHTS, weights_sha256

    weights = weights_sha256(model_dir() / WEIGHTS, cache_dir)[:16]
    adapters = hashlib.sha256(adapter_file.read_bytes()).hexdigest()[:16]
    return cache_dir / "onnx" / f"verifier-{weights}-{adapters}-v{EXPORT_VERSION}" / "model.onnx"


def export(adapter_file: Path, target: Path) -> None:
    """Merge, trace and optimise; ConfigError if the graph's verdicts differ from torch's."""
    import torch

    from rag.index.onnx_export import traced

    model = loaded(adapter_file)
    feed = encode_pairs(pair_tokenizer(), *zip(*PARITY_PAIRS, strict=True))
    inputs = tuple(torch.from_numpy(feed[name]) for name in ("input_ids", "attention_mask", "token_type_ids"))
    with torch.no_grad():
        reference = model(*inputs).numpy()
    model.merge()
    _, got = traced(model, inputs, "logit", target)
    gap = float(np.max(np.abs(_sigmoid(got) - _sigmoid(reference))))
    if gap > MAX_PARITY_GAP:
        target.unlink()
        raise ConfigError(f"the ONNX export of the answer verifier differs from torch (by {gap:.4f} in probability)")


def _sigmoid(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return 1.0 / (1.0 + np.exp(-x))


class Verifier:
    """Loads on first use (making the ONNX export if this machine has none yet); thread-safe."""

    def __init__(self, cache_dir: Path | None = None, adapter_file: Path = ADAPTER_FILE) -> None:
        self.cache_dir = cache_dir
        self.adapter_file = adapter_file
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def prepare(self) -> Path:
        """The cached ONNX graph, made now if missing."""
        from rag.index.onnx import default_cache_dir, made_once

        target = export_path(self.adapter_file, self.cache_dir or default_cache_dir())
        return made_once(target, lambda partial: export(self.adapter_file, partial), "the answer verifier")

    def probabilities(self, question: str, sentences: Sequence[str]) -> list[float]:
        """How likely each sentence states the answer to the question."""
        if not sentences:
            return []
        with self._lock:
            if self._session is None:
                from rag.index.onnx import open_session

                self._session = open_session(self.prepare())
                self._tokenizer = pair_tokenizer()
            feed = encode_pairs(self._tokenizer, [question] * len(sentences), sentences)
            logits = self._session.run(None, feed)[0]
        return [float(p) for p in _sigmoid(np.asarray(logits, dtype=np.float64))]


if __name__ == "__main__":  # `python -m rag.answering.verifier`: make the ONNX export now (the Makefile's install does)
    from rag.config import AppConfig
    from rag.index.embedder import force_offline

    force_offline()
    print(Verifier(AppConfig().model_cache_dir).prepare())
