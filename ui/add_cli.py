"""`clusterqa add`: fetch documents by address into the corpus and index them; print what happened to each."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ui.progress import progress_callback

if TYPE_CHECKING:
    from ingest.add import Outcome
    from rag.app import AppContext

EXIT_OK, EXIT_FAILED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="web pages, PDF or DOCX addresses (http or https)")
    parser.add_argument("--from", dest="list_file", type=Path, metavar="FILE", help="a file of addresses, one a line")
    parser.add_argument("--refresh", action="store_true", help="fetch every added address again; index what changed")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: setting corpus_dir)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from ingest.add import Entry, add_addresses, read_list

    entries = [Entry(url) for url in args.urls]
    if args.list_file is not None:
        try:
            entries += read_list(args.list_file)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"clusterqa: error: cannot read the list {args.list_file}: {exc}", file=sys.stderr)
            return 2
    if not entries and not args.refresh:
        print("clusterqa: error: give at least one address, --from FILE or --refresh", file=sys.stderr)
        return 2

    def announce(outcome: Outcome) -> None:
        where = f" -> {outcome.path}" if outcome.path else ""
        reason = f": {outcome.error}" if outcome.error else ""
        print(f"{outcome.status:9} {outcome.url}{where}{reason}", flush=True)

    report = add_addresses(
        ctx.config,
        ctx.store,
        ctx.embedder,
        entries,
        refresh=args.refresh,
        progress=progress_callback(sys.stderr.isatty()),
        announce=None if args.json else announce,
    )
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        for failed in report.ingest.failed:
            print(f"failed: {failed.source}: {failed.error}")
        print(report.ingest.summary() + f"; {report.ingest.embedded} chunks embedded")
    return EXIT_FAILED if report.failed or report.ingest.failed else EXIT_OK
