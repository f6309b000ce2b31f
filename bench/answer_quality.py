"""Answer quality on real documents nobody here wrote: ours beside the plain baseline, same questions, same run.

Run: .venv/bin/python bench/answer_quality.py DATA_DIR [DATA_DIR ...] [--split test] [--limit 300] [--json OUT]

Each DATA_DIR holds `docs/` (the documents) and `questions.jsonl` (see bench/README.md for the layout and
where each data set comes from; third-party text is never in this repository). Every data set is indexed
into a temporary folder, then each question is answered by:
- ours: `Assistant.answer`, the extractive answerer (no LLM);
- baseline: the plain prototype, hybrid retrieval (dense + BM25 fused) and the two sentences of the
  retrieved passages most similar to the question, quoted with their citations; it never abstains.

Scored per question:
- answerable, right: not abstained, a gold answer string in the answer and in a cited passage
  (for PDFs with gold pages: a citation on a gold page, +-1, of the gold document, counts too);
- answerable, states the answer: right without the page rule (a heading quoted from the gold page
  is right by its page, but does not state the answer);
- answerable, wrongly abstained;
- unanswerable, abstained;
- page hit (PDF questions with gold pages): a citation on a gold page +-1 of the gold document;
- figures absent: answers stating a number that none of their cited passages states.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.indexer import run_ingest  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.retrieve import retrieve  # noqa: E402
from rag.app import AppContext, build_context  # noqa: E402
from rag.config import AppConfig  # noqa: E402
from rag.index.embedder import Embedder, force_offline  # noqa: E402
from rag.numbers import unsupported_numbers  # noqa: E402
from rag.text import sentence_spans  # noqa: E402
from rag.types import Answer, Citation  # noqa: E402

MARKER = re.compile(r"\s*\[\d+\]")
TIMELINE_LABEL = re.compile(r"^(Most recent|Earlier) \([^)]*\): ", re.M)  # dates from document metadata


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    answerable: bool
    answers: tuple[str, ...]
    doc_id: str | None
    pages: tuple[int, ...]
    split: str


def load_items(folder: Path, split: str, limit: int | None) -> list[Item]:
    items = []
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        if split != "all" and q.get("split") != split:
            continue
        items.append(
            Item(
                q["id"],
                q["question"],
                bool(q["answerable"]),
                tuple(q.get("answers") or ()),
                q.get("doc_id"),
                tuple(q.get("pages") or ()),
                q.get("split", ""),
            )
        )
    if limit and len(items) > limit:
        items = random.Random(0).sample(items, limit)
    return items


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w%$.]+", " ", text.lower().replace(",", "")).split()).replace(" .", "")


def states(text: str, answers: Sequence[str]) -> bool:
    body = f" {_norm(text)} "
    return any(f" {_norm(a)} " in body or (len(_norm(a)) > 3 and _norm(a) in body) for a in answers if _norm(a))


def on_gold_page(citations: Sequence[Citation], item: Item) -> bool:
    return any(
        c.passage.doc_id == item.doc_id
        and c.passage.page is not None
        and any(abs(c.passage.page - p) <= 1 for p in item.pages)
        for c in citations
    )


def baseline(ctx: AppContext, question: str) -> Answer:
    """The plain prototype: hybrid retrieval, the two sentences most similar to the question, never abstains."""
    found = retrieve(ctx.store, ctx.embedder, analyse(question), ctx.config.k).passages
    candidates = [(p, p.text[a:b]) for p in found for a, b in sentence_spans(p.text)]
    if not candidates:
        return Answer(question, "", [], True, "extractive")
    vectors = ctx.embedder.encode([question] + [s for _, s in candidates])
    order = np.argsort(-(vectors[1:] @ vectors[0]))[:2]
    cites = [Citation(n, candidates[i][0], candidates[i][1], 1.0) for n, i in enumerate(order, start=1)]
    return Answer(question, " ".join(f"{c.quote} [{c.n}]" for c in cites), cites, False, "extractive")


@dataclass
class Tally:
    answerable: int = 0
    right: int = 0
    stated: int = 0
    wrong_abstain: int = 0
    unanswerable: int = 0
    abstained_right: int = 0
    page_questions: int = 0
    page_hits: int = 0
    figures_absent: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, item: Item, answer: Answer) -> None:
        plain = TIMELINE_LABEL.sub("", MARKER.sub("", answer.text))
        cited = " ".join(c.passage.text for c in answer.citations)
        if answer.citations and unsupported_numbers(plain, cited):
            self.figures_absent += 1
        if not item.answerable:
            self.unanswerable += 1
            self.abstained_right += answer.abstained
            ok = answer.abstained
        else:
            self.answerable += 1
            page_hit = bool(item.pages) and on_gold_page(answer.citations, item)
            if item.pages:
                self.page_questions += 1
                self.page_hits += page_hit and not answer.abstained
            stated = not answer.abstained and states(plain, item.answers) and states(cited, item.answers)
            ok = stated or (not answer.abstained and bool(item.pages) and page_hit)
            self.right += ok
            self.stated += stated
            self.wrong_abstain += answer.abstained
        self.rows.append({"id": item.id, "ok": bool(ok), "abstained": answer.abstained, "answer": answer.text[:300]})

    def summary(self) -> dict[str, Any]:
        def share(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "answerable": self.answerable,
            "right": share(self.right, self.answerable),
            "states_answer": share(self.stated, self.answerable),
            "wrong_abstentions": share(self.wrong_abstain, self.answerable),
            "unanswerable": self.unanswerable,
            "abstained_on_unanswerable": share(self.abstained_right, self.unanswerable),
            "page_hit": share(self.page_hits, self.page_questions),
            "figures_absent_from_citations": self.figures_absent,
        }


@contextlib.contextmanager
def indexed(folder: Path, embedder: Embedder, index_root: Path | None) -> Iterator[AppContext]:
    """The data set's documents indexed: in a temporary folder, or kept under index_root between runs."""
    with tempfile.TemporaryDirectory() as tmp:
        index = index_root / folder.name if index_root else Path(tmp)
        ctx = build_context(AppConfig(corpus_dir=folder / "docs", index_dir=index), embedder)
        report = run_ingest(ctx.config, ctx.store, ctx.embedder)
        print(f"{folder.name}: {report.summary()}", file=sys.stderr, flush=True)
        yield ctx


def run_dataset(
    folder: Path, embedder: Embedder, split: str, limit: int | None, index_root: Path | None
) -> dict[str, Any]:
    items = load_items(folder, split, limit)
    with indexed(folder, embedder, index_root) as ctx:
        documents = len(ctx.store.documents())
        ours, plain = Tally(), Tally()
        for number, item in enumerate(items, start=1):
            ours.add(item, ctx.assistant.answer(item.question))
            plain.add(item, baseline(ctx, item.question))
            if number % 25 == 0:
                print(f"  {folder.name}: {number}/{len(items)}", file=sys.stderr, flush=True)
    return {
        "data": folder.name,
        "split": split,
        "documents": documents,
        "questions": len(items),
        "ours": ours.summary(),
        "baseline": plain.summary(),
        "rows": {"ours": ours.rows, "baseline": plain.rows},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+", type=Path, help="data set folders (docs/ and questions.jsonl)")
    parser.add_argument("--split", default="test", choices=["tune", "test", "all"])
    parser.add_argument("--limit", type=int, help="at most this many questions per data set (a fixed sample)")
    parser.add_argument("--json", type=Path, help="write every answer and the summaries here")
    parser.add_argument("--index-root", type=Path, help="keep each data set's index here between runs")
    args = parser.parse_args()
    force_offline()
    embedder = Embedder()
    results = [run_dataset(folder, embedder, args.split, args.limit, args.index_root) for folder in args.data]
    print(
        "| data | split | questions | | answerable right | states the answer | wrong abstentions "
        "| unanswerable abstained | page hit | figures absent |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for who in ("ours", "baseline"):
            s = r[who]
            print(
                f"| {r['data']} | {r['split']} | {r['questions']} | {who} | {s['right']} | {s['states_answer']} "
                f"| {s['wrong_abstentions']} "
                f"| {s['abstained_on_unanswerable']} | {s['page_hit']} | {s['figures_absent_from_citations']} |"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
