"""The two small logistic models of the extractive answerer, read from `answerer.json` beside this file.

`sentence` scores how likely a candidate sentence states the answer; `answer` how likely the best
sentence is a right answer, which decides abstention at `threshold`. Both are fitted on the tuning
parts of real data sets by bench/fit_answerer.py, which writes the file (see BENCHMARKS.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("answerer.json")


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: Sequence[float]) -> float:
        z = self.intercept + sum(c * v for c, v in zip(self.coef, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def as_json(self) -> dict[str, object]:
        return {"features": list(self.features), "coef": list(self.coef), "intercept": self.intercept}


@dataclass(frozen=True)
class AnswererModel:
    sentence: Logistic
    answer: Logistic
    threshold: float  # answer when the answer model's probability is at least this


def _logistic(raw: dict[str, object]) -> Logistic:
    features = tuple(str(f) for f in raw["features"])  # type: ignore[attr-defined]
    coef = tuple(float(c) for c in raw["coef"])  # type: ignore[attr-defined]
    if len(features) != len(coef):
        raise ValueError("each feature needs one coefficient")
    return Logistic(features, coef, float(raw["intercept"]))  # type: ignore[arg-type]


def parse(raw: dict[str, object]) -> AnswererModel:
    return AnswererModel(
        _logistic(raw["sentence"]),  # type: ignore[arg-type]
        _logistic(raw["answer"]),  # type: ignore[arg-type]
        float(raw["threshold"]),  # type: ignore[arg-type]
    )


@lru_cache(maxsize=1)
def load() -> AnswererModel:
    return parse(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
