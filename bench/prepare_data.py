"""Lay out the public data sets of bench/README.md as data folders (`docs/` and `questions.jsonl`).

Run:
  .venv/bin/python bench/prepare_data.py squad2 SQUAD_GIT_DIR OUT
  .venv/bin/python bench/prepare_data.py reports RAG_CHALLENGE_GIT_DIR OUT [--max-pages N] [--docs N]
      [--distractors N] [--split tune|test]

The sources are read from repository snapshots with `git show` (no work tree needed), so the files
are exactly those of the commit checked out; nothing here is written inside this repository.
- squad2: `chrischute/squad`, `data/dev-v2.0.json` (the first half of SQuAD 2.0 dev), one Markdown
  document per article (title front matter, paragraphs separated by blank lines), every question;
  split by article, titles sorted, alternating tune/test.
- reports: `trustbit/enterprise-rag-challenge`, round 2: the questions that name exactly one company
  whose report PDF is in the snapshot (snapshots leave out files of 4 MiB and more); gold pages are
  the source's 0-based page indexes plus one; "N/A" answers make a question unanswerable. Reports of
  at most --max-pages pages, the smallest first, at most --docs of them; split by report (sha1s
  sorted, alternating tune/test), and --split keeps one part only. --distractors adds that many of
  the smallest reports nobody asks about.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def git_blob(repo: Path, path: str) -> bytes | None:
    """The file's bytes, or None where the snapshot lacks its content."""
    done = subprocess.run(["git", "--git-dir", str(repo), "show", f"HEAD:{path}"], capture_output=True)
    return done.stdout if done.returncode == 0 else None


def git_show(repo: Path, path: str) -> bytes:
    """A file the data set cannot do without."""
    data = git_blob(repo, path)
    if data is None:
        raise SystemExit(f"{path} is not in the snapshot at {repo}")
    return data


def git_ls(repo: Path, folder: str) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "--name-only", "HEAD", folder + "/"],
        capture_output=True, check=True, text=True,
    ).stdout
    return out.split()


def write_questions(out: Path, rows: list[dict[str, Any]]) -> None:
    with (out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def squad2(repo: Path, out: Path) -> None:
    articles = json.loads(git_show(repo, "data/dev-v2.0.json"))["data"]
    order = sorted(a["title"] for a in articles)
    split = {title: ("tune", "test")[i % 2] for i, title in enumerate(order)}
    (out / "docs").mkdir(parents=True, exist_ok=True)
    rows = []
    for article in articles:
        title = article["title"]
        name = f"{title}.md"
        paragraphs = [p["context"].strip() for p in article["paragraphs"]]
        front = f'---\ntitle: "{title.replace("_", " ")}"\n---\n\n'
        (out / "docs" / name).write_text(front + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = list(dict.fromkeys(a["text"] for a in qa["answers"]))
                rows.append({
                    "id": qa["id"], "question": qa["question"], "answerable": not qa.get("is_impossible", False),
                    "answers": answers, "doc_id": name, "split": split[title],
                })
    write_questions(out, rows)
    print(f"squad2: {len(articles)} articles, {len(rows)} questions -> {out}", file=sys.stderr)


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def reports(repo: Path, out: Path, max_pages: int, docs: int, distractors: int, part: str | None) -> None:
    answers = json.loads(git_show(repo, "round2/answers.json"))
    subset = list(csv.DictReader(io.StringIO(git_show(repo, "round2/subset.csv").decode("utf-8"))))
    company = {row["company_name"]: row["sha1"] for row in subset}
    listed = [name[: -len(".pdf")].rsplit("/", 1)[-1] for name in git_ls(repo, "round2/pdfs") if name.endswith(".pdf")]
    pdfs = {sha: blob for sha in listed if (blob := git_blob(repo, f"round2/pdfs/{sha}.pdf"))}
    asked: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for question, entry in answers.items():
        named = [c for c in company if c in question]
        if len(named) == 1 and company[named[0]] in pdfs:
            asked.setdefault(company[named[0]], []).append((question, entry))
    pages = {sha: page_count(blob) for sha, blob in pdfs.items()}
    order = sorted(asked)
    split = {sha: ("tune", "test")[i % 2] for i, sha in enumerate(order)}
    chosen = sorted((sha for sha in asked if pages[sha] <= max_pages and part in (None, split[sha])), key=pages.get)
    chosen = chosen[:docs]
    spare = sorted((sha for sha in pdfs if sha not in asked and pages[sha] <= max_pages), key=pages.get)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    rows = []
    for sha in chosen + spare[:distractors]:
        (out / "docs" / f"{sha}.pdf").write_bytes(pdfs[sha])
    for sha in chosen:
        for n, (question, entry) in enumerate(asked[sha]):
            gold = [str(a) for a in entry["answers"]]
            pool = [ref for refs in entry.get("reference_pools", []) for ref in refs]
            gold_pages = sorted({int(ref.split(":")[1]) + 1 for ref in pool if ref.startswith(sha)})
            rows.append({
                "id": f"{sha[:8]}-{n}", "question": question, "answerable": gold != ["N/A"],
                "answers": [] if gold == ["N/A"] else gold, "doc_id": f"{sha}.pdf", "pages": gold_pages,
                "split": split[sha],
            })
    write_questions(out, rows)
    total = sum(pages[sha] for sha in chosen + spare[:distractors])
    print(
        f"reports: {len(chosen)} asked about + {min(distractors, len(spare))} distractors, {total} pages, "
        f"{len(rows)} questions -> {out}",
        file=sys.stderr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    p = sub.add_parser("squad2")
    p.add_argument("repo", type=Path, help="git directory of chrischute/squad")
    p.add_argument("out", type=Path)
    p = sub.add_parser("reports")
    p.add_argument("repo", type=Path, help="git directory of trustbit/enterprise-rag-challenge")
    p.add_argument("out", type=Path)
    p.add_argument("--max-pages", type=int, default=10_000)
    p.add_argument("--docs", type=int, default=1_000)
    p.add_argument("--distractors", type=int, default=0)
    p.add_argument("--split", choices=["tune", "test"])
    args = parser.parse_args()
    if args.kind == "squad2":
        squad2(args.repo, args.out)
    else:
        reports(args.repo, args.out, args.max_pages, args.docs, args.distractors, args.split)


if __name__ == "__main__":
    main()
