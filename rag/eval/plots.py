"""PNG plots of an evaluation, drawn on matplotlib's Agg canvas.

matplotlib is imported inside the functions, so importing this module costs nothing, and no pyplot is used: each
figure is a plain `Figure` on its own Agg canvas, which leaves the process-wide backend alone and is safe to call
from the UI's worker threads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.eval.deltas import Delta, is_latency

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
PLOTTED = ("passed", "hit@", "ndcg@10", "key_fact_recall", "citation_recall", "source_accuracy", "abstention_recall")
BAD, GOOD, NEUTRAL = "#c62828", "#2e7d32", "#9e9e9e"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=DPI, format="png")  # no bbox_inches="tight": the pixel size stays fixed
    return path


def plot_metrics_by_type(table: Mapping[str, Mapping[str, float | None]], metrics: Sequence[str], path: Path) -> Path:
    """Grouped bars: a group per question type (keys of `table` are the labels), a bar per metric, in percent.

    A metric that is None or missing for a group (it does not apply there) gets no bar.
    """
    from matplotlib import colormaps

    figure = _figure(12, 5)
    axes = figure.add_subplot()
    groups = list(table)
    width = 0.84 / max(len(metrics), 1)
    colours = colormaps["tab10"]
    for i, metric in enumerate(metrics):
        offset = (i - (len(metrics) - 1) / 2) * width
        points = [(g, table[name].get(metric)) for g, name in enumerate(groups)]
        shown = [(g + offset, 100 * v) for g, v in points if v is not None and math.isfinite(v)]
        axes.bar([x for x, _ in shown], [h for _, h in shown], width, label=metric, color=colours(i % 10))
    axes.set_xticks(range(len(groups)), groups)
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.set_title("Key metrics per question type (no bar: the metric does not apply)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _save(figure, path)


def plot_latency(latencies: Sequence[float], median: float, p95: float, path: Path) -> Path:
    """Histogram of per-question latency with the median and the 95th percentile marked.

    Outliers beyond three times the p95 (a cold start, say) would squash the histogram into one bar; they are
    counted in the last bar instead, and the title says so.
    """
    figure = _figure(8, 4)
    axes = figure.add_subplot()
    cap = 3 * p95 if p95 > 0 else math.inf
    slow = [x for x in latencies if x > cap]
    if latencies:
        shown = [min(x, cap) for x in latencies]
        axes.hist(shown, bins=min(30, max(5, len(shown) // 2)), color="#5c6bc0", edgecolor="white")
    axes.axvline(median, color="#212121", linestyle="--", linewidth=1.5, label=f"median {median:.0f} ms")
    axes.axvline(p95, color=BAD, linestyle=":", linewidth=2, label=f"p95 {p95:.0f} ms")
    axes.set_xlabel("latency per question (ms)")
    axes.set_ylabel("questions")
    note = f"\n{len(slow)} slower than {cap:.0f} ms (up to {max(slow):.0f} ms) counted in the last bar" if slow else ""
    axes.set_title(f"Latency of {len(latencies)} questions{note}")
    axes.legend()
    return _save(figure, path)


def _delta_bars(axes: Axes, deltas: Sequence[Delta], scale: float, unit: str, label: str) -> None:
    colours = [BAD if d.regression else GOOD if d.improvement else NEUTRAL for d in deltas]
    heights = [scale * d.delta for d in deltas]
    bars = axes.bar(range(len(deltas)), heights, color=colours)
    axes.bar_label(bars, labels=[format(h, label) for h in heights], fontsize=8, padding=2)
    axes.set_xticks(range(len(deltas)), [d.metric for d in deltas], rotation=40, ha="right")
    axes.axhline(0, color="#424242", linewidth=0.8)
    axes.margins(y=0.2)
    axes.set_ylabel(unit)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)


def plot_deltas(deltas: Sequence[Delta], path: Path) -> Path:
    """Current minus baseline per summary metric: rates in percentage points, latencies in ms on their own axis.

    Red: a regression; green: an improvement of the same size; grey: within the tolerance.
    """
    rates = [d for d in deltas if d.metric != "questions" and not is_latency(d.metric)]
    latencies = [d for d in deltas if is_latency(d.metric)]
    figure = _figure(12, 5)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [max(len(rates), 1), max(len(latencies), 2)]})
    _delta_bars(left, rates, 100, "change (percentage points)", "+.2f")
    _delta_bars(right, latencies, 1, "change (ms)", "+.0f")
    left.set_title("Rates: current minus baseline")
    right.set_title("Latency")
    figure.suptitle("Change against the baseline (red: regression, green: improvement)")
    return _save(figure, path)


def write_plots(
    result: dict[str, Any], groups: Mapping[str, Mapping[str, float | None]], deltas: Sequence[Delta] | None, out: Path
) -> list[Path]:
    """The report's plots from a results dict and its per-group summaries (see rag.eval.report); returns the paths."""
    summary, questions = result["summary"], result.get("questions", [])
    counts = {name: sum(q.get("type") == name for q in questions) for name in groups} | {"overall": len(questions)}
    labelled = {f"{name}\n({counts[name]})": row for name, row in groups.items()}
    metrics = [m for p in PLOTTED for m in summary if m == p or (p.endswith("@") and m.startswith(p))]
    latencies = [float(q["metrics"]["latency_ms"]) for q in questions if "latency_ms" in q.get("metrics", {})]
    median, p95 = float(summary.get("latency_median_ms", 0.0)), float(summary.get("latency_p95_ms", 0.0))
    paths = [plot_metrics_by_type(labelled, metrics, out / "metrics_by_type.png")]
    paths.append(plot_latency(latencies, median, p95, out / "latency.png"))
    if deltas is not None:
        paths.append(plot_deltas(deltas, out / "deltas.png"))
    return paths
