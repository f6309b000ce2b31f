"""The evaluation report: results.json, report.md, a self-contained report.html and PNG plots; baseline deltas and
threshold checks for CI gating.

Everything works on the `EvalResult.as_json()` dict, so a results.json read back from disk renders the same way.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rag.eval.deltas import NOT_SCORED, Delta, Json, compare, is_latency, number, summary_of
from rag.eval.plots import write_plots

Row = list[str]
Changes = tuple[list[str], list[str]]  # ids newly failing, newly passing

_SPEC = re.compile(r"^\s*([^\s<>=]+)\s*(<=|>=|=)\s*(\S+)\s*$")
_MD_SPECIAL = re.compile(r"[\\`*<>|]|(?<!\w)_|_(?!\w)")  # what Markdown would not show as typed


def _plain(metric: str, value: float) -> str:
    return f"{value:.1f} ms" if is_latency(metric) else f"{value:.3f}"


def check_thresholds(summary: Json, minimums: list[str]) -> list[str]:
    """Check "METRIC=VALUE" (a minimum; ">=" also works) and "METRIC<=VALUE" (a maximum) against a summary.

    Returns a message per threshold not met (empty when all are met); raises ValueError for a malformed threshold
    or a metric the summary does not have.
    """
    values = summary_of(summary)
    failures = []
    for spec in minimums:
        match = _SPEC.match(spec)
        if not match:
            raise ValueError(
                f"malformed threshold {spec!r}: expected METRIC=VALUE (a minimum) or METRIC<=VALUE "
                "(a maximum), for example hit@5=0.9 or latency_p95_ms<=500"
            )
        metric, operator, text = match.groups()
        try:
            limit = float(text)
        except ValueError:
            limit = math.nan
        if not math.isfinite(limit):
            raise ValueError(f"malformed threshold {spec!r}: {text!r} is not a number")
        if metric not in values:
            raise ValueError(f"unknown metric {metric!r} in threshold {spec!r}; known: {', '.join(values)}")
        value = float(values[metric])
        if operator == "<=" and not value <= limit:  # written so that NaN fails too
            failures.append(f"{metric} is {_plain(metric, value)}, above the maximum {_plain(metric, limit)}")
        elif operator != "<=" and not value >= limit:
            failures.append(f"{metric} is {_plain(metric, value)}, below the minimum {_plain(metric, limit)}")
    return failures


def fmt(metric: str, value: Any) -> str:
    """Rates as percentages with one decimal, latencies as whole ms, the question count as an integer."""
    if not number(value):
        return "–"
    if metric in NOT_SCORED:
        return str(round(value))
    return f"{value:.0f} ms" if is_latency(metric) else f"{100 * value:.1f}%"


def fmt_delta(d: Delta) -> str:
    if d.metric in NOT_SCORED:
        return f"{d.delta:+.0f}"
    if is_latency(d.metric):
        return f"{d.delta:+.0f} ms" + (f" ({d.delta / d.baseline:+.1%})" if d.baseline else "")
    return f"{100 * d.delta:+.1f} pp"


def _groups(result: Json) -> dict[str, Json]:
    """Overall and per-type summaries, with the abstention figures that are vacuous for a group set to None.

    evaluate() reports 1.0 abstention recall for a group without unanswerable questions, 1.0 abstention precision
    where nothing abstained and 0.0 wrong abstentions where nothing is answerable; a table should say "does not apply".
    """
    questions = result.get("questions", [])
    members = {"overall": questions} | {t: [q for q in questions if q.get("type") == t] for t in result["by_type"]}
    summaries = {"overall": result["summary"]} | result["by_type"]
    table = {}
    for name, summary in summaries.items():
        row, group = dict(summary), members[name]
        if group:
            vacuous = {
                "abstention_recall": all(q["answerable"] for q in group),
                "wrong_abstention_rate": not any(q["answerable"] for q in group),
                "abstention_precision": not any(q["metrics"].get("abstained") for q in group),
            }
            row |= {metric: None for metric, empty in vacuous.items() if empty and metric in row}
        table[name] = row
    return table


def _status_changes(current: Json, baseline: Json) -> Changes:
    """Ids of questions that passed in the baseline and fail now, and the other way round."""
    before = {q["id"]: q["passed"] for q in baseline.get("questions", [])}
    now = [(q["id"], q["passed"], before.get(q["id"])) for q in current.get("questions", [])]
    return [i for i, ok, was in now if not ok and was is True], [i for i, ok, was in now if ok and was is False]


def report_tables(result: Json, deltas: list[Delta] | None) -> list[tuple[str, Row, list[Row]]]:
    """The report's tables as (title, header, rows), rendered to Markdown and to HTML alike."""
    summary, groups = result["summary"], _groups(result)
    tables = [("Summary", ["Metric", "Value"], [[m, fmt(m, groups["overall"][m])] for m in summary])]
    if deltas is not None:
        rows = [[d.metric, fmt(d.metric, d.baseline), fmt(d.metric, d.current), fmt_delta(d), d.flag] for d in deltas]
        tables.append(("Change against the baseline", ["Metric", "Baseline", "Current", "Change", "Flag"], rows))
    metrics = list(dict.fromkeys([*summary, *(m for s in result["by_type"].values() for m in s)]))
    rows = [[m, *(fmt(m, groups[g].get(m)) for g in groups)] for m in metrics]
    tables.append(("By question type", ["Metric", *groups], rows))
    return tables


def _view(question: Json) -> Json:
    """What the report shows of one question."""
    answer = question.get("answer") or {}
    cited = list(dict.fromkeys(str(c.get("doc_id")) for c in answer.get("citations", [])))
    metrics = " · ".join(f"{m} {fmt(m, v)}" for m, v in question.get("metrics", {}).items() if m != "abstained")
    text = str(answer.get("answer", "")) + (" (abstained)" if answer.get("abstained") else "")
    return {
        "id": str(question["id"]),
        "type": str(question.get("type", "")),
        "question": str(question["question"]),
        "reasons": [str(r) for r in question.get("reasons", [])],
        "cited": cited,
        "metrics": metrics,
        "answer": text,
    }


def ordered_questions(result: Json) -> list[tuple[str, list[Json]]]:
    """The failed questions first, then the passed ones."""
    questions = result.get("questions", [])
    failed, passed = [_view(q) for q in questions if not q["passed"]], [_view(q) for q in questions if q["passed"]]
    return [(f"Failed questions ({len(failed)})", failed), (f"Passed questions ({len(passed)})", passed)]


def headline(result: Json) -> str:
    settings = " · ".join(f"{k} {v}" for k, v in result.get("settings", {}).items())
    s = result["summary"]
    return f"{fmt('questions', s.get('questions'))} questions, {fmt('passed', s.get('passed'))} passed. {settings}"


def _changes(changes: Changes) -> str:
    return f"Newly failing: {', '.join(changes[0]) or 'none'}. Newly passing: {', '.join(changes[1]) or 'none'}."


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text).replace("\n", " ")


def render_markdown(result: Json, deltas: list[Delta] | None, changes: Changes | None, plots: list[Path]) -> str:
    img = {p.stem: f"![{p.stem}]({p.name})" for p in plots}
    lines = ["# ClusterQA evaluation report", "", _md(headline(result)), ""]
    for title, header, rows in report_tables(result, deltas):
        lines += [f"## {title}", "", "| " + " | ".join(map(_md, header)) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows] + [""]
        if title.startswith("Change"):
            lines += [_md(_changes(changes)) if changes else "", "", img.get("deltas", ""), ""]
    lines += ["– : the metric does not apply to the group.", "", img.get("metrics_by_type", ""), ""]
    lines += ["## Latency", "", img.get("latency", ""), ""]
    for title, views in ordered_questions(result):
        lines += [f"## {title}", ""]
        for v in views:
            lines += [f"### {_md(v['id'])} ({_md(v['type'])})", "", f"**Question:** {_md(v['question'])}", ""]
            if v["reasons"]:
                lines += ["**Reasons:**", "", *(f"- {_md(r)}" for r in v["reasons"]), ""]
            lines += ["**Answer:**", "", *(f"> {_md(line)}" for line in v["answer"].splitlines() or [""]), ""]
            cited = ", ".join(f"`{c.replace('`', '')}`" for c in v["cited"]) or "none"
            lines += [f"**Cited:** {cited}", "", f"**Metrics:** {_md(v['metrics'])}", ""]
    return "\n".join(lines)


_CSS = """body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#212121;
max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f5f5f5}.reg{color:#c62828;font-weight:bold}.imp{color:#2e7d32}img{max-width:100%;display:block;
margin:1em 0}.q{border-left:4px solid #2e7d32;padding:.2em 1em;margin:1em 0;background:#fafafa}.q.fail{
border-left-color:#c62828}.q h3{margin:.3em 0}blockquote{white-space:pre-wrap;margin:.4em 0;padding:.4em .8em;
background:#fff;border:1px solid #e0e0e0}.small{color:#616161;font-size:12px}code{background:#eee;padding:0 3px}"""


def inline_png(path: Path) -> str:
    """An <img> holding the PNG itself, so the page needs no file server and requests nothing."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _html_table(header: Row, rows: list[Row]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    marks = {"REGRESSION": ' class="reg"', "improved": ' class="imp"'}
    cells = ("".join(f"<td{marks.get(c, '')}>{html.escape(c)}</td>" for c in row) for row in rows)
    body = "".join(f"<tr>{c}</tr>" for c in cells)
    return f"<table><tr>{head}</tr>{body}</table>"


def _html_question(v: Json, failed: bool) -> str:
    e = html.escape
    reasons = "".join(f"<li>{e(r)}</li>" for r in v["reasons"])
    cited = ", ".join(f"<code>{e(c)}</code>" for c in v["cited"]) or "none"
    return (
        f'<div class="q{" fail" if failed else ""}"><h3>{e(v["id"])} <span class="small">({e(v["type"])})</span>'
        f"</h3><p><b>Question:</b> {e(v['question'])}</p>"
        + (f"<ul>{reasons}</ul>" if reasons else "")
        + f"<blockquote>{e(v['answer'])}</blockquote><p><b>Cited:</b> {cited}</p>"
        f'<p class="small">{e(v["metrics"])}</p></div>'
    )


def render_html(result: Json, deltas: list[Delta] | None, changes: Changes | None, plots: list[Path]) -> str:
    img = {p.stem: inline_png(p) for p in plots}
    parts = ["<h1>ClusterQA evaluation report</h1>", f'<p class="small">{html.escape(headline(result))}</p>']
    for title, header, rows in report_tables(result, deltas):
        parts += [f"<h2>{html.escape(title)}</h2>", _html_table(header, rows)]
        if title.startswith("Change"):
            parts += [f"<p>{html.escape(_changes(changes))}</p>" if changes else "", img.get("deltas", "")]
    parts += ['<p class="small">– : the metric does not apply to the group.</p>', img.get("metrics_by_type", "")]
    parts += ["<h2>Latency</h2>", img.get("latency", "")]
    for i, (title, views) in enumerate(ordered_questions(result)):
        parts += [f"<h2>{html.escape(title)}</h2>", *(_html_question(v, failed=i == 0) for v in views)]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>ClusterQA evaluation report</title>'
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def write_report(result: Json, out_dir: Path, baseline: Json | None = None) -> list[Path]:
    """Write results.json (with a "deltas" section given a baseline), report.md, report.html and the PNG plots.

    `result` and `baseline` are `EvalResult.as_json()` dicts (or results.json files read back). Returns the paths.
    """
    if not isinstance(result.get("summary"), dict) or not isinstance(result.get("by_type"), dict):
        raise ValueError("not an evaluation result: 'summary' and 'by_type' are required")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    deltas = compare(result, baseline) if baseline is not None else None
    changes = _status_changes(result, baseline) if baseline is not None else None
    data = dict(result)
    if deltas is not None and changes is not None and baseline is not None:
        data["deltas"] = {
            "metrics": [asdict(d) | {"improvement": d.improvement} for d in deltas],
            "regressions": [d.metric for d in deltas if d.regression],
            "newly_failed": changes[0],
            "newly_passed": changes[1],
            "baseline_settings": baseline.get("settings", {}),
        }

    plots = write_plots(result, _groups(result), deltas, out_dir)
    written = [out_dir / "results.json", out_dir / "report.md", out_dir / "report.html"]
    written[0].write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    written[1].write_text(render_markdown(result, deltas, changes, plots), encoding="utf-8")
    written[2].write_text(render_html(result, deltas, changes, plots), encoding="utf-8")
    return written + plots
