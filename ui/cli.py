"""The `clusterqa` command: parse arguments, call ingest/rag, print results. No logic of its own."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from rag.config import AppConfig
from rag.errors import ClusterQAError, IndexBusyError
from ui.add_cli import add_arguments as add_add_arguments
from ui.add_cli import run as run_add
from ui.ask import add_arguments as add_ask_arguments
from ui.ask import run as run_ask
from ui.evaluate_cli import add_arguments as add_eval_arguments
from ui.evaluate_cli import run as run_eval
from ui.progress import progress_callback
from ui.search import add_arguments as add_search_arguments
from ui.search import run as run_search

if TYPE_CHECKING:
    from rag.app import AppContext
    from rag.types import IngestReport

EXIT_OK, EXIT_FAILED_FILES, EXIT_ERROR = 0, 1, 2
# Another ingest holds the index: nothing was done, try again later (scripts and cron jobs can tell).
EXIT_BUSY = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clusterqa", description="Cited answers from your documents.")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="index the corpus folder (only what changed)")
    ingest.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders inside the corpus to index (default: the whole corpus)",
    )
    ingest.add_argument("--corpus", type=Path, help="corpus folder (default: setting corpus_dir)")
    ingest.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")
    ingest.add_argument("--watch", action="store_true", help="stay running and re-index on every change")
    ingest.add_argument("--json", action="store_true", help="print one JSON object")
    ingest.add_argument("--eval", action="store_true", help="run the test set afterwards and print its summary")

    add = commands.add_parser("add", help="fetch documents by web address into the corpus and index them")
    add_add_arguments(add)

    evaluate = commands.add_parser("eval", help="score the assistant on a test set and write a report")
    add_eval_arguments(evaluate)

    ask = commands.add_parser("ask", help="ask a question (no question: an interactive chat)")
    add_ask_arguments(ask)

    search = commands.add_parser("search", help="list the passages that best match a query (no answer)")
    add_search_arguments(search)

    serve = commands.add_parser("serve", help="start the web UI (default http://127.0.0.1:7860)")
    serve.add_argument("--host", help="address to listen on (default: setting host)")
    serve.add_argument("--port", type=int, help="port to listen on (default: setting port)")

    sources = commands.add_parser("sources", help="list the indexed documents")
    sources.add_argument("--json", action="store_true", help="print a JSON array")
    return parser


def _ingest(ctx: AppContext, args: argparse.Namespace) -> int:
    from ingest.indexer import run_ingest

    if args.watch:
        from ingest.watch import watch_corpus

        def print_pass(report: IngestReport) -> None:
            stamp = dt.datetime.now().strftime("%H:%M:%S")
            print(json.dumps(report.as_json()) if args.json else f"[{stamp}] {report.summary()}", flush=True)
            for failed in report.failed if not args.json else []:
                print(f"  failed: {failed.source}: {failed.error}", flush=True)

        if not args.json:
            print(f"watching {ctx.config.corpus_dir} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        watch_corpus(ctx.config, ctx.store, ctx.embedder, print_pass)
        return EXIT_OK

    progress = progress_callback(sys.stderr.isatty())
    report = run_ingest(ctx.config, ctx.store, ctx.embedder, args.paths, args.rebuild, progress)
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        for failed in report.failed:
            print(f"failed: {failed.source}: {failed.error}")
        print(report.summary())
    if args.eval:
        from ui.evaluate_cli import evaluate_for, print_run

        defaults = _parser().parse_args(["eval"])
        print_run(evaluate_for(ctx, defaults, progress is not None), as_json=False)
    return EXIT_FAILED_FILES if report.failed else EXIT_OK


def _sources(ctx: AppContext, args: argparse.Namespace) -> int:
    docs = sorted(ctx.store.documents().values(), key=lambda d: (d.date or "", d.doc_id))
    rows = [
        {"doc_id": d.doc_id, "title": d.title, "date": d.date, "format": d.format, "chunks": d.chunks, "url": d.url}
        for d in docs
    ]
    if args.json:
        print(json.dumps(rows))
        return EXIT_OK
    if not rows:
        print("The index is empty: run `clusterqa ingest`.")
        return EXIT_OK
    for row in rows:
        print(
            f"{row['date'] or 'undated':10}  {row['format']:8}  {row['chunks']:4} chunks  "
            f"{row['doc_id']}  ({row['title']})" + (f"  {row['url']}" if row["url"] else "")
        )
    print(f"{len(rows)} documents, {sum(d.chunks for d in docs)} chunks")
    return EXIT_OK


def _serve(ctx: AppContext, args: argparse.Namespace) -> int:
    from ui.web.server import auth_from_config, serve

    serve(ctx, host=args.host or ctx.config.host, port=args.port or ctx.config.port, auth=auth_from_config(ctx.config))
    return EXIT_OK


COMMANDS: dict[str, Callable[[AppContext, argparse.Namespace], int]] = {
    "ingest": _ingest,
    "add": run_add,
    "sources": _sources,
    "ask": run_ask,
    "search": run_search,
    "eval": run_eval,
    "serve": _serve,
}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Each command imports what it uses when it runs: `--help` and `sources` load no model, `ask` no torch."""
    args = _parser().parse_args(argv)
    from rag.app import build_context

    try:
        overrides = {"corpus_dir": args.corpus} if getattr(args, "corpus", None) else {}
        config = AppConfig(**overrides)
        return COMMANDS[args.command](build_context(config), args)
    except IndexBusyError as exc:
        print(f"clusterqa: error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except ClusterQAError as exc:
        print(f"clusterqa: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # the index or corpus folder cannot be written or read: disk full, read-only, ...
        print(f"clusterqa: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"clusterqa: error: invalid setting ({problems})", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
