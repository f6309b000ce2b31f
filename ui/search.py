"""`clusterqa search`: the passages that best match a query, ranked, with where they are; no answer."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from ui.ask import location

if TYPE_CHECKING:
    from rag.app import AppContext
    from rag.types import Passage

SHOWN_CHARS = 300


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="words or a question to search for")
    parser.add_argument("--json", action="store_true", help="print a JSON array of passages")
    parser.add_argument("--k", type=int, default=10, help="passages to list (default 10)")
    parser.add_argument("--since", help="only documents dated on or after (YYYY, YYYY-MM or YYYY-MM-DD)")
    parser.add_argument("--until", help="only documents dated on or before")
    parser.add_argument("--format", action="append", default=[], dest="formats", help="only this format (repeatable)")
    parser.add_argument("--doc", action="append", default=[], dest="docs", help="only this doc_id (repeatable)")


def render(passages: list[Passage]) -> str:
    if not passages:
        return "No passage matches."
    lines = []
    for rank, p in enumerate(passages, start=1):
        text = " ".join(p.text.split())
        text = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "\u2026"
        lines += [f"{rank}. {p.title} ({location(p)}) \u2014 {p.doc_id}  [score {p.score:.4f}]", f"   {text}", ""]
    return "\n".join(lines).rstrip()


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    if not 1 <= args.k <= 100:
        raise SystemExit("clusterqa search: error: --k must be between 1 and 100")
    if not args.query.strip():
        raise SystemExit("clusterqa search: error: the query is empty")
    from rag.answering.retrieve import make_filters

    filters = make_filters(args.since, args.until, args.formats, args.docs)
    passages = ctx.assistant.search(args.query, args.k, filters)
    print(json.dumps([p.as_json() for p in passages], ensure_ascii=False) if args.json else render(passages))
    return 0
