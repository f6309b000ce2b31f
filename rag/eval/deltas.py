"""Comparing an evaluation with a baseline: per-metric deltas, which way is worse, and by how much."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeGuard

Json = dict[str, Any]

RATE_TOLERANCE = 0.01  # a rate must move more than this (absolute) in the bad direction to be a regression
LATENCY_TOLERANCE = 0.10  # a latency must move more than this share of the baseline
LOWER_IS_BETTER = {"wrong_abstention_rate"}  # and every latency
NOT_SCORED = {"questions"}  # a count, never a regression or an improvement
_EPSILON = 1e-9  # so that a change of exactly the tolerance is not flagged through float rounding


def is_latency(metric: str) -> bool:
    return metric.startswith("latency") or metric.endswith("_ms")


def _worsening(metric: str, baseline: float, current: float) -> float:
    """How much worse `current` is than `baseline`: absolute for rates, relative for latencies; negative if better."""
    if metric in NOT_SCORED:
        return 0.0
    change = current - baseline if is_latency(metric) or metric in LOWER_IS_BETTER else baseline - current
    if not is_latency(metric):
        return change
    return change / baseline if baseline > 0 else (math.inf if change > 0 else 0.0)


def _tolerance(metric: str) -> float:
    return (LATENCY_TOLERANCE if is_latency(metric) else RATE_TOLERANCE) + _EPSILON


@dataclass(frozen=True)
class Delta:
    metric: str
    baseline: float
    current: float
    delta: float  # current minus baseline
    regression: bool

    @property
    def improvement(self) -> bool:
        return _worsening(self.metric, self.baseline, self.current) < -_tolerance(self.metric)

    @property
    def flag(self) -> str:
        return "REGRESSION" if self.regression else "improved" if self.improvement else ""


def summary_of(result: Json) -> Json:
    """The summary of a results dict, or the dict itself when it already is a summary."""
    summary = result.get("summary")
    return summary if isinstance(summary, dict) else result


def number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def compare(current: Json, baseline: Json) -> list[Delta]:
    """Summary metrics present in both (results dicts or bare summaries), in the current summary's order."""
    now, before = summary_of(current), summary_of(baseline)
    deltas = []
    for metric, value in now.items():
        old = before.get(metric)
        if number(value) and number(old):
            worse = _worsening(metric, old, value) > _tolerance(metric)
            deltas.append(Delta(metric, float(old), float(value), float(value) - float(old), worse))
    return deltas
