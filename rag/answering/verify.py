"""Does a passage support a sentence? Overlap plus embedding similarity, and every number present."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.index.embedder import Embedder
from rag.index.tokenize import terms
from rag.numbers import unsupported_numbers
from rag.text import sentence_spans

MARKER = re.compile(r"\s*\[(\d+)\]")
# A sentence counts as supported at or above this score (README, "Citations").
SUPPORTED = 0.6


@dataclass(frozen=True)
class Claim:
    """One answer sentence without its markers, and the citation numbers it carries."""

    text: str
    cited: tuple[int, ...]


def claims(answer: str) -> list[Claim]:
    """Split an answer into sentences; a marker right after a sentence belongs to it."""
    result: list[Claim] = []
    for start, end in sentence_spans(answer):
        raw = answer[start:end]
        cited = tuple(int(n) for n in MARKER.findall(raw))
        text = MARKER.sub("", raw).strip()
        if text:
            result.append(Claim(text, cited))
        elif cited and result:  # markers that ended up alone after the sentence splitter
            last = result[-1]
            result[-1] = Claim(last.text, last.cited + cited)
    return result


def lexical_support(claim: str, evidence: str) -> float:
    wanted = set(terms(claim))
    if not wanted:
        return 1.0
    present = set(terms(evidence))
    return sum(1 for t in wanted if t in present) / len(wanted)


def support_scores(claims_: Sequence[str], evidences: Sequence[str], embedder: Embedder) -> list[float]:
    """Support of each claim by its evidence (pairwise): half term overlap, half the best cosine
    similarity between the claim and a sentence of the evidence. Each distinct text is encoded once."""
    if not claims_:
        return []
    pieces = [[ev[s:e] for s, e in sentence_spans(ev)] or [ev] for ev in evidences]
    unique = list(dict.fromkeys([*claims_, *(p for group in pieces for p in group)]))
    vectors = dict(zip(unique, embedder.encode(unique), strict=True))
    scores = []
    for claim, group in zip(claims_, pieces, strict=True):
        semantic = max(float(vectors[p] @ vectors[claim]) for p in group)
        scores.append(0.5 * lexical_support(claim, " ".join(group)) + 0.5 * max(semantic, 0.0))
    return scores


def numbers_supported(claim: str, evidence: str) -> bool:
    return not unsupported_numbers(claim, evidence)
