"""A deterministic generated corpus for benchmarks: markdown files recombined from the shipped corpus.

Run: .venv/bin/python bench/corpus_gen.py OUT_DIR [--chunks 2000] [--per-document 20] [--seed 0]

Each document has front matter (title, date) like the files of corpus/, a title heading and
sections (one chunk each) of paragraphs whose sentences are drawn from the markdown and text files of corpus/,
with cluster names, countries, numbers, months and years replaced at random, so no two chunks
are alike. Document i depends only on (seed, i): a corpus of N documents is the first N of any
larger one. The title block and the sections make about --per-document chunks per document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "corpus"
SECTION_WORDS = (80, 125)  # a section fits one 200-token chunk
MONTHS = "January February March April May June July August September October November December".split()
CLUSTERS = (
    "Zero Carbon Humber",
    "HyNet North West",
    "Kwinana Industries Council",
    "Basque Net-Zero Industrial Supercluster",
    "Brightlands Circular Space",
    "Port of Antwerp-Bruges",
    "H2Houston Hub",
    "Ohio Clean Hydrogen Hub Alliance",
    "Tianjin Economic and Technological Development Area",
    "Future Energy Cluster",
    "Dunkerque Industrial Cluster",
    "Cartagena Industrial Cluster",
    "Jubail Industrial City",
    "Port of Acu",
    "Saraburi",
)
COUNTRIES = (
    "United Kingdom",
    "United States",
    *"Australia Spain Netherlands Belgium China Indonesia Japan Thailand Brazil France India Mexico".split(),
    *"Canada Germany Norway Chile Morocco Egypt Kenya Vietnam Italy Poland Portugal Colombia".split(),
)
KINDS = ("Industrial Cluster", "Hydrogen Hub", "Energy Park", "Port Alliance", "Industrial Zone", "Supercluster")
SYLLABLES = "ka ri mo lan ber to sa vel dun ar ne po ish ten ra gu lo mar ve the ca bri sto".split()
_NAMES = re.compile("|".join(re.escape(c) for c in CLUSTERS) + r"|\b(?:" + "|".join(COUNTRIES) + r")\b")
_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Source:
    headings: tuple[str, ...]
    sentences: tuple[str, ...]


@cache
def source() -> Source:
    """Headings and prose sentences of the shipped markdown and text files."""
    headings: list[str] = []
    sentences: list[str] = []
    for path in sorted(SOURCE.iterdir()):
        if path.suffix not in (".md", ".txt"):
            continue
        body = _FRONT.sub("", path.read_text(encoding="utf-8"))
        for block in re.split(r"\n\s*\n", body):
            block = block.strip()
            if block.startswith("## "):
                headings.append(block[3:].strip())
            elif block and not block.startswith(("#", "-", "*", "|", ">")) and "\n" not in block:
                sentences += [s for s in _SENTENCE.split(re.sub(r"\*\*|__|`", "", block)) if len(s.split()) >= 6]
    return Source(tuple(headings), tuple(sentences))


def cluster_name(rng: random.Random) -> str:
    place = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{place} {rng.choice(KINDS)}"


def vary(text: str, rng: random.Random, names: list[str]) -> str:
    """Replace names, months, years and other numbers, keeping the shape of the sentence."""

    def number(match: re.Match[str]) -> str:
        value = match.group()
        if re.fullmatch(r"(19|20)\d\d", value):
            return str(rng.randint(2019, 2031))
        if "." in value or "," in value:
            return f"{rng.uniform(0.1, 99.9):.1f}"
        return str(rng.randint(1, 10 ** len(value) - 1))

    text = _NAMES.sub(lambda m: rng.choice(names) if m.group() in CLUSTERS else rng.choice(COUNTRIES), text)
    text = _MONTH.sub(lambda _: rng.choice(MONTHS), text)
    return _NUMBER.sub(number, text)


def section(rng: random.Random, names: list[str]) -> list[str]:
    """One or two paragraphs of varied sentences, SECTION_WORDS long."""
    least, most = SECTION_WORDS
    picked: list[str] = []
    words = 0
    for sentence in rng.sample(source().sentences, 12):
        text = vary(sentence, rng, names)
        count = len(text.split())
        if picked and words + count > most:
            continue
        picked.append(text)
        words += count
        if words >= least:
            break
    cut = rng.randint(1, len(picked) - 1) if len(picked) >= 4 else len(picked)
    return [" ".join(picked[:cut]), *(["", " ".join(picked[cut:])] if cut < len(picked) else [])]


def document(index: int, per_document: int, seed: int = 0) -> tuple[str, str]:
    """(file name, markdown text) of document `index`."""
    rng = random.Random(f"{seed}:{index}")
    src = source()
    names = [cluster_name(rng) for _ in range(3)]
    date = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(7 * 365))
    title = f"{names[0]}: {vary(rng.choice(src.headings), rng, names)}"
    lines = [
        "---",
        f"title: {title}",
        f"date: {date.isoformat()}",
        "---",
        "",
        f"# {title}",
        "",
        f"*Published {date.day} {MONTHS[date.month - 1]} {date.year}*",
        "",
    ]
    for _ in range(per_document - 1):
        lines += [f"## {vary(rng.choice(src.headings), rng, names)}", ""]
        lines += [*section(rng, names), ""]
    return f"generated-{index:06d}.md", "\n".join(lines)


def generate(folder: Path, documents: int, per_document: int, seed: int = 0) -> list[Path]:
    """Write documents 0..documents-1 into folder (created if needed); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(documents):
        name, text = document(index, per_document, seed)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--chunks", type=int, default=2000, help="about this many chunks in all")
    parser.add_argument("--per-document", type=int, default=20, help="about this many chunks per document")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    documents = math.ceil(args.chunks / args.per_document)
    generate(args.out, documents, args.per_document, args.seed)
    print(f"{documents} documents in {args.out}")


if __name__ == "__main__":
    main()
