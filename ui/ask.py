"""`clusterqa ask`: one question, or an interactive chat in the terminal, printed with sources."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from rag.errors import ClusterQAError

if TYPE_CHECKING:
    from rag.answering.assistant import Assistant
    from rag.app import AppContext
    from rag.types import Answer, Filters, Passage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", nargs="?", help="the question; without it, an interactive chat")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--k", type=int, help="passages to retrieve (default: setting k)")
    parser.add_argument("--since", help="only documents dated on or after (YYYY, YYYY-MM or YYYY-MM-DD)")
    parser.add_argument("--until", help="only documents dated on or before")
    parser.add_argument("--format", action="append", default=[], dest="formats", help="only this format (repeatable)")
    parser.add_argument("--doc", action="append", default=[], dest="docs", help="only this doc_id (repeatable)")


def location(passage: Passage) -> str:
    parts = [passage.date or "undated"]
    if passage.page is not None:
        label = passage.page_label
        parts.append(f"page {passage.page}" + (f" (printed {label})" if label and label != str(passage.page) else ""))
    if passage.ocr:
        parts.append("OCR")
    if passage.section:
        parts.append(f"section \u201c{passage.section}\u201d")
    return ", ".join(parts)


def render(answer: Answer) -> str:
    lines = [answer.text, ""]
    if answer.notice:
        lines.insert(0, f"({answer.notice})")
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {c.passage.title} ({location(c.passage)}) \u2014 {c.passage.doc_id}")
            if c.passage.url:
                lines.append(f"      {c.passage.url}")
            lines.append(f"      \u201c{c.quote}\u201d")
    if answer.nearest:
        lines.append("Nearest sources (they do not answer the question):")
        for p in answer.nearest:
            lines.append(f"  - {p.title} ({location(p)}) \u2014 {p.doc_id}")
    if answer.unsupported:
        lines.append(f"{answer.unsupported} generated sentence(s) were dropped: their sources do not support them.")
    return "\n".join(lines).rstrip()


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.k is not None and not 1 <= args.k <= 50:
        raise SystemExit("clusterqa ask: error: --k must be between 1 and 50")
    from rag.answering.retrieve import make_filters

    assistant = ctx.assistant
    filters = make_filters(args.since, args.until, args.formats, args.docs)
    if args.question is not None:
        if not args.question.strip():
            raise SystemExit("clusterqa ask: error: the question is empty")
        answer = assistant.answer(args.question, filters=filters, k=args.k)
        print(json.dumps(answer.as_json(), ensure_ascii=False) if args.json else render(answer))
        return 0
    return chat(assistant, filters, args.k)


def chat(assistant: Assistant, filters: Filters, k: int | None) -> int:
    """A terminal chat with history; follow-up questions are resolved against earlier turns."""
    history: list[dict[str, str]] = []
    print("Ask about the indexed documents. An empty line or Ctrl-D quits.", file=sys.stderr)
    while True:
        try:
            question = input("? ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = assistant.answer(question, history, filters, k)
        except ClusterQAError as exc:
            print(f"error: {exc}")
            continue
        print(render(answer), end="\n\n", flush=True)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
