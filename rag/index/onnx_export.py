"""Export the packaged MiniLM weights to an ONNX graph, parity-checked against torch before it is kept.

Needs torch, transformers, onnx and onnxruntime's transformer optimizer; only `rag.index.onnx.prepare` (first
use of the ONNX backend, or `python -m rag.index.embedder` at install time) and the answer verifier's export
(rag/answering/verifier.py) use this module.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ConfigError

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# all-MiniLM-L6-v2: 12 attention heads over a hidden size of 384 (the optimizer needs both to fuse attention).
HEADS, HIDDEN = 12, 384
# Unequal lengths in one batch, so padding and the attention mask are part of the check.
PARITY_TEXTS = (
    "How many member clusters does the initiative have?",
    "The Saraburi cluster in Thailand became the 21st member in October 2024, the first in South-East Asia.",
    "Net zero.",
)
MIN_COSINE = 0.9999


def _wrapper(model_dir: Path) -> Any:
    """BertModel with sentence-transformers' mean pooling and normalisation, in one graph."""
    import torch
    from transformers import AutoModel

    # Eager attention traces to the pattern onnxruntime's optimizer fuses into one Attention operator.
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        # transformers 5 wants keyword arguments; torch.onnx.export passes positional ones.
        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            tokens = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return Pooled()


def export(model_dir: Path, target: Path) -> None:
    """Write the optimised graph to `target`; ConfigError if it does not reproduce torch's vectors."""
    import torch
    from tokenizers import Tokenizer

    model = _wrapper(model_dir)
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_padding()
    encoded = tokenizer.encode_batch(list(PARITY_TEXTS))
    ids = torch.tensor([e.ids for e in encoded], dtype=torch.int64)
    feed = (ids, torch.tensor([e.attention_mask for e in encoded], dtype=torch.int64), torch.zeros_like(ids))
    reference, got = traced(model, feed, "embedding", target)
    cosine = float(np.min(np.sum(got * reference, axis=1)))
    if cosine < MIN_COSINE:
        target.unlink()
        raise ConfigError(
            f"the ONNX export of the model differs from torch (cosine {cosine:.6f}); set CLUSTERQA_EMBED_BACKEND=torch"
        )


def traced(model: Any, feed: tuple[Any, ...], output: str, target: Path) -> tuple[Any, Any]:
    """Trace a MiniLM-based module taking INPUTS to an optimised graph at `target`; what torch and the graph
    give on `feed`, for the caller's parity check."""
    import onnxruntime
    import torch
    from onnxruntime.transformers.optimizer import optimize_model

    raw = target.with_name(target.stem + ".raw.onnx")
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    # The tracer warns about shapes it treats as constants; the parity check is what tells.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = model(*feed).numpy()
        torch.onnx.export(
            model,
            feed,
            str(raw),
            dynamo=False,
            input_names=list(INPUTS),
            output_names=[output],
            dynamic_axes={**axes, output: {0: "batch"}},
            opset_version=17,
        )
    try:
        # Level 1 fusions only (attention, layer norms, GELU): portable; onnxruntime applies the rest on loading.
        fused = optimize_model(str(raw), model_type="bert", num_heads=HEADS, hidden_size=HIDDEN, opt_level=1)
        fused.save_model_to_file(str(target))
    finally:
        raw.unlink(missing_ok=True)
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = session.run(None, {name: tensor.numpy() for name, tensor in zip(INPUTS, feed, strict=True)})
    return reference, np.asarray(got[0])
