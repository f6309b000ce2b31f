"""Document routing on real multi-document collections: right document first and evidence page in the top 5.

Run: .venv/bin/python bench/bench_routing.py DATA_DIR --index INDEX_DIR [--split tune|test] [--json OUT]

DATA_DIR holds `docs/` and `questions.jsonl` (layout in bench/README.md; every question names the document
`doc_id` it is about). The documents are indexed into INDEX_DIR (kept between runs: only what changed is
embedded again). Each question is retrieved twice in the same run, with the same index: without routing
(plain hybrid retrieval) and with it (`retrieve(..., cards=store.cards())`, as the assistant does). Reported:
- doc_first: the named document is the top passage's document (share of all questions);
- page_top5: a passage of the named document on an evidence page (+-1) in the top 5 (questions with pages);
- routed: how often routing named the document, clearly (searched alone) or weakly (boosted), or missed;
- cards_s: building the document cards from the index; ms per question with and without routing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.indexer import run_ingest  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.retrieve import Retrieval, retrieve  # noqa: E402
from rag.app import build_context  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.index.cards import DocumentCards  # noqa: E402
from rag.index.embedder import force_offline  # noqa: E402

TOP = 5


def page_hit(found: Retrieval, doc_id: str, pages: list[int]) -> bool:
    return any(
        p.doc_id == doc_id and p.page is not None and any(abs(p.page - g) <= 1 for g in pages)
        for p in found.passages[:TOP]
    )


def run(folder: Path, index: Path, split: str | None) -> dict[str, Any]:
    ctx = build_context(AppConfig(corpus_dir=folder / "docs", index_dir=index))
    started = time.perf_counter()
    report = run_ingest(ctx.config, ctx.store, ctx.embedder)
    print(f"{folder.name}: {report.summary()}", file=sys.stderr, flush=True)
    ingest_s = time.perf_counter() - started
    indexed = set(ctx.store.documents())
    questions = [json.loads(line) for line in (folder / "questions.jsonl").read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q.get("doc_id") in indexed and split in (None, q.get("split"))]
    lexical = ctx.store.lexical()
    started = time.perf_counter()
    cards = DocumentCards.build(ctx.store.passages(), ctx.store.generation())
    cards_s = time.perf_counter() - started
    tally: dict[str, Any] = {"plain": {"doc_first": 0, "page_top5": 0, "ms": 0.0}}
    tally["routed"] = {"doc_first": 0, "page_top5": 0, "ms": 0.0}
    routes = {"clear": 0, "weak": 0, "wrong": 0, "none": 0, "several": 0}
    rows = []
    with_pages = [q for q in questions if q.get("pages")]
    for q in questions:
        parsed = analyse(q["question"])
        row: dict[str, Any] = {"id": q["id"]}
        for name, routing in (("plain", None), ("routed", cards)):
            began = time.perf_counter()
            found = retrieve(ctx.store, ctx.embedder, parsed, 10, lexical=lexical, cards=routing)
            tally[name]["ms"] += (time.perf_counter() - began) * 1000
            first = bool(found.passages) and found.passages[0].doc_id == q["doc_id"]
            hit = bool(q.get("pages")) and page_hit(found, q["doc_id"], q["pages"])
            tally[name]["doc_first"] += first
            tally[name]["page_top5"] += hit
            row[name] = {"doc_first": first, "page_top5": hit}
            if routing is not None:
                chosen = found.route
                kind = "none" if chosen is None else ("clear" if chosen.clear else "weak")
                if chosen is not None and q["doc_id"] not in chosen.doc_ids:
                    kind = "wrong"
                routes[kind] += 1
                routes["several"] += chosen is not None and len(chosen.doc_ids) > 1
                row["route"] = kind
        rows.append(row)
    summary = {
        name: {
            "doc_first": f"{t['doc_first']}/{len(questions)}",
            "doc_first_share": round(t["doc_first"] / max(len(questions), 1), 3),
            "page_top5": f"{t['page_top5']}/{len(with_pages)}",
            "page_top5_share": round(t["page_top5"] / max(len(with_pages), 1), 3),
            "ms_per_question": round(t["ms"] / max(len(questions), 1), 1),
        }
        for name, t in tally.items()
    }
    return {
        "data": str(folder),
        "split": split or "all",
        "documents": len(indexed),
        "chunks": ctx.store.count(),
        "questions": len(questions),
        "with_pages": len(with_pages),
        "ingest_s": round(ingest_s, 1),
        "cards_s": round(cards_s, 2),
        "routes": routes,
        **summary,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--index", type=Path, required=True, help="index folder, kept between runs")
    parser.add_argument("--split", choices=["tune", "test"], help="only the questions of this part")
    parser.add_argument("--json", type=Path, help="also write the full result, per question, here")
    args = parser.parse_args()
    force_offline()
    result = run(args.data, args.index, args.split)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=1))


if __name__ == "__main__":
    main()
