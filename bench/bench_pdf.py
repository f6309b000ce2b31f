"""PDF text extraction compared on real report PDFs: speed and what each library does to the text.

Usage: .venv/bin/python bench/bench_pdf.py FOLDER [--every N] [--libraries pypdf,pypdfium2,...]

Every Nth page of each PDF in FOLDER is extracted by each library in turn, in the same run. Measured:
- pages/s (whole documents for `clusterqa`, since furniture detection needs every page; the libraries
  open each document once and extract the sampled pages);
- footnote markers glued on: superscript digits found by PyMuPDF's span flags, and how often each
  library's text holds the preceding word with the marker glued on ("Scope 2" + "2" -> "Scope 22");
- furniture left: lines in each page's text that recur (digits aside) on at least 10% of sampled pages
  of the same document, as running headers and footers do;
- hyphens left: a lower-case word broken by "-" and a line end.
pdfplumber, pymupdf and pymupdf4llm are not dependencies of ClusterQA: `pip install` them to compare.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

Extract = Callable[[Path, list[int]], list[str]]


def _pypdf(path: Path, pages: list[int]) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return [reader.pages[i].extract_text() or "" for i in pages]


def _pypdfium2(path: Path, pages: list[int]) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    return [pdf[i].get_textpage().get_text_range() for i in pages]


def _pdfplumber(path: Path, pages: list[int]) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [pdf.pages[i].extract_text() or "" for i in pages]


def _pymupdf(path: Path, pages: list[int]) -> list[str]:
    import pymupdf

    doc = pymupdf.open(path)
    return [doc[i].get_text(sort=True) for i in pages]


def _pymupdf4llm(path: Path, pages: list[int]) -> list[str]:
    import pymupdf4llm

    chunks = pymupdf4llm.to_markdown(str(path), pages=pages, page_chunks=True, show_progress=False)
    return [str(chunk["text"]) for chunk in chunks]


def _clusterqa(path: Path, pages: list[int]) -> list[str]:
    from ingest.loaders.pdf import load_pdf

    parsed = load_pdf(path.read_bytes())
    text: dict[int, list[str]] = {}
    for block in parsed.blocks:
        text.setdefault((block.page or 1) - 1, []).append(block.text)
    return ["\n".join(text.get(i, [])) for i in pages]


LIBRARIES: dict[str, Extract] = {
    "pypdf": _pypdf,
    "pypdfium2": _pypdfium2,
    "pdfplumber": _pdfplumber,
    "pymupdf": _pymupdf,
    "pymupdf4llm": _pymupdf4llm,
    "clusterqa": _clusterqa,
}


def glued_markers(path: Path, pages: list[int]) -> list[list[str]]:
    """Per page, "word+marker" strings for superscript digit markers that follow a word or figure."""
    import pymupdf

    doc = pymupdf.open(path)
    out: list[list[str]] = []
    for i in pages:
        found: list[str] = []
        for block in doc[i].get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                spans = line["spans"]
                for before, span in zip(spans, spans[1:], strict=False):
                    marker, words = span["text"].strip(), before["text"].split()
                    raised = span["flags"] & 1 and marker.isdigit() and len(marker) <= 2
                    if raised and words and before["text"].endswith(words[-1]) and len(words[-1]) > 1:
                        found.append(words[-1] + marker)
        out.append(found)
    return out


def furniture_left(texts: list[str]) -> int:
    keys = [{re.sub(r"\d+", "#", line.strip().lower()) for line in t.splitlines() if line.strip()} for t in texts]
    counts = Counter(k for page in keys for k in page)
    threshold = max(3, len(texts) // 10)
    return sum(1 for page in keys for k in page if counts[k] >= threshold and len(k) > 2)


HYPHEN = re.compile(r"[a-z]{2,}-\n[a-z]{2,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--every", type=int, default=5, help="sample every Nth page (default 5)")
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    args = parser.parse_args()
    import pypdfium2 as pdfium

    docs = sorted(args.folder.glob("*.pdf"))
    samples = {path: list(range(0, len(pdfium.PdfDocument(path)), args.every)) for path in docs}
    markers = {path: glued_markers(path, pages) for path, pages in samples.items()}
    total_markers = sum(len(m) for page in markers.values() for m in page)
    sampled = sum(len(p) for p in samples.values())
    print(f"{len(docs)} PDFs, {sampled} sampled pages, {total_markers} superscript markers after a word")
    print("library | pages/s | markers glued | furniture lines left | hyphen breaks left")
    for name in args.libraries.split(","):
        extract = LIBRARIES[name]
        seconds, pages_done, glued, furniture, hyphens = 0.0, 0, 0, 0, 0
        for path, pages in samples.items():
            start = time.perf_counter()
            texts = extract(path, pages)
            seconds += time.perf_counter() - start
            # clusterqa reads the whole document (furniture needs every page): count all its pages.
            pages_done += len(pdfium.PdfDocument(path)) if name == "clusterqa" else len(pages)
            glued += sum(g in text for text, page in zip(texts, markers[path], strict=True) for g in page)
            furniture += furniture_left(texts)
            hyphens += sum(len(HYPHEN.findall(t)) for t in texts)
        rate = pages_done / seconds
        print(f"{name} | {rate:.1f} | {glued} of {total_markers} | {furniture} | {hyphens}", flush=True)


if __name__ == "__main__":
    main()
