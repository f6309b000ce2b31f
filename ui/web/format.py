"""Answers, citations, documents and ingest reports as HTML: pure functions, every outside text escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from rag.types import Answer, Citation, Excerpt, FailedFile, IndexedDocument, IngestReport, Passage
from ui.ask import location

_MARKER = re.compile(r"\[(\d{1,3})\]")
_TAG = re.compile(r"<[^>]*>")
_CHIP = re.compile(r'<span class="cqa-chip[^"]*"[^>]*>.*?</span>', re.S)
_META = re.compile(r'<div class="cqa-meta">.*?</div>', re.S)
# HTML's special characters, and those Markdown, LaTeX or templates could read as syntax: as entities,
# in one pass (a second pass would break the first one's entities), they all stay plain text.
_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]#|~$"})

ABSTAIN_HEADING = "No answer found in the documents"


def esc(text: object) -> str:
    """Escape text for HTML, and make it inert for the Markdown of chat messages."""
    return str(text).translate(_ESCAPES)


def attr(text: object) -> str:
    return html.escape(str(text), quote=True)


def multiline(text: str) -> str:
    return "<br>".join(esc(line) for line in text.split("\n"))


def highlight(text: str, quote: str | None) -> str:
    """The escaped text with the first occurrence of quote (whitespace-insensitive) in <mark>."""
    span = find_quote(text, quote)
    if span is None:
        return multiline(text)
    start, end = span
    return f"{multiline(text[:start])}<mark>{multiline(text[start:end])}</mark>{multiline(text[end:])}"


def snippet(text: str, quote: str | None, around: int = 160) -> str:
    """The highlighted quote with some text either side, cut at word boundaries: what a source card shows."""
    span = find_quote(text, quote) or (0, 0)
    start, end = max(0, span[0] - around), min(len(text), span[1] + around + (0 if span[1] else around))
    while 0 < start < span[0] and not text[start - 1].isspace():
        start += 1
    while end < len(text) and end > span[1] and not text[end].isspace():
        end -= 1
    before, after = ("… " if start > 0 else ""), (" …" if end < len(text) else "")
    return f"{before}{highlight(text[start:end], quote)}{after}"


def find_quote(text: str, quote: str | None) -> tuple[int, int] | None:
    words = (quote or "").split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), text)
    if found is None:
        found = re.search(r"\s+".join(re.escape(w) for w in words), text, re.I)
    return found.span() if found else None


def where(passage: Passage) -> str:
    """Date, page or section, then the file and, for a document added by address, a link to it: escaped."""
    link = ""
    if passage.url and passage.url.startswith(("http://", "https://")):
        link = (
            f' · <a class="cqa-url" href="{attr(passage.url)}" target="_blank"'
            f' rel="noopener noreferrer nofollow">{esc(passage.url)}</a>'
        )
    return f'{esc(location(passage))} · <span class="cqa-file">{esc(passage.doc_id)}</span>{link}'


# --- chat messages --------------------------------------------------------------------------
# The chat's sanitizer drops data-* attributes: chips and cards carry their answer (cqa-a-<message index>),
# kind (cqa-k-cite or cqa-k-nearest) and number (cqa-n-<n>) as classes, read by style.SOURCES_JS.


def question_html(question: str) -> str:
    return f'<div class="cqa-question">{multiline(question)}</div>'


def chips(text: str, index: int, citations: Sequence[Citation]) -> str:
    """Escaped answer text whose [n] markers are chips naming their source."""
    titles = {c.n: c.passage.title for c in citations}
    parts: list[str] = []
    last = 0
    for marker in _MARKER.finditer(text):
        n = int(marker.group(1))
        parts.append(multiline(text[last : marker.start()]))
        if n in titles:
            parts.append(
                f'<span class="cqa-chip cqa-a-{index} cqa-n-{n}" role="button" tabindex="0"'
                f' title="{attr(titles[n])}">{n}</span>'
            )
        else:
            parts.append(esc(marker.group(0)))
        last = marker.end()
    parts.append(multiline(text[last:]))
    return "".join(parts)


def answer_html(answer: Answer, index: int, final: bool = True) -> str:
    """One assistant message: the answer with chips, its mode and notices; abstentions look different."""
    classes = ["cqa-answer"]
    head = ""
    if answer.abstained:
        classes.append("cqa-abstained")
        icon = '<span class="cqa-icon" aria-hidden="true">&#8856;</span>'
        head = f'<div class="cqa-abstain-head">{icon} {ABSTAIN_HEADING}</div>'
    if not final:
        classes.append("cqa-streaming")
    meta = [f'<span class="cqa-mode cqa-mode-{attr(answer.mode)}">{mode_label(answer.mode)}</span>']
    if answer.citations:
        count = len(answer.citations)
        meta.append(f"{count} source{'s' if count != 1 else ''}")
    elif answer.nearest:
        meta.append(f"{len(answer.nearest)} nearest sources")
    if answer.notice:
        meta.append(f'<span class="cqa-notice">{esc(answer.notice)}</span>')
    if answer.unsupported:
        meta.append(f"{answer.unsupported} unsupported generated sentence(s) dropped")
    return (
        f'<div class="{" ".join(classes)} cqa-a-{index}">{head}'
        f'<div class="cqa-text">{chips(answer.text, index, answer.citations)}</div>'
        f'<div class="cqa-meta">{" · ".join(meta)}</div></div>'
    )


def search_html(query: str, passages: Sequence[Passage]) -> str:
    """A search's message: the passages that match best, ranked, with where they are and their score."""
    if not passages:
        return (
            f'<div class="cqa-answer cqa-search"><div class="cqa-text">No passage matches “{esc(query)}”.</div></div>'
        )
    rows = "".join(
        f'<div class="cqa-result"><div class="cqa-source-title">{rank}. {esc(p.title)}'
        f' <span class="cqa-score">score {p.score:.4f}</span></div>'
        f'<div class="cqa-source-loc">{where(p)}</div><div class="cqa-source-text">{snippet(p.text, None)}</div></div>'
        for rank, p in enumerate(passages, start=1)
    )
    meta = f"Search: {len(passages)} passage{'s' if len(passages) != 1 else ''}, best first (no answer)"
    return f'<div class="cqa-answer cqa-search">{rows}<div class="cqa-meta">{meta}</div></div>'


def mode_label(mode: str) -> str:
    return "LLM answer, checked against the sources" if mode == "llm" else "Extractive answer (quoted from the sources)"


def pending_html(text: str = "Searching the documents…") -> str:
    return f'<div class="cqa-answer cqa-pending"><div class="cqa-text">{esc(text)}</div></div>'


def error_html(message: str) -> str:
    return (
        f'<div class="cqa-answer cqa-error"><div class="cqa-text"><span class="cqa-icon" aria-hidden="true">'
        f"&#9888;</span> {esc(message)}</div></div>"
    )


def plain_text(content: object) -> str:
    """A chat message's text without our markup: what the assistant reads as history."""
    if isinstance(content, list):
        return "\n".join(plain_text(item) for item in content)
    if isinstance(content, dict):
        return plain_text(content.get("text", ""))
    raw = _META.sub("", _CHIP.sub("", str(content or "")))
    return html.unescape(_TAG.sub(" ", raw.replace("<br>", "\n"))).strip()


# --- sources panel and document view --------------------------------------------------------


def sources_html(answer: Answer | None, index: int | None) -> str:
    """Every citation of the selected answer (or its nearest passages when it abstained)."""
    if answer is None or index is None:
        return '<div class="cqa-sources cqa-empty">Ask a question: the sources of the answer appear here.</div>'
    cards: list[str] = []
    if answer.citations:
        head = f"Sources of the answer to “{esc(answer.question)}”"
        for c in answer.citations:
            cards.append(_card(c.passage, index, "cite", c.n, c.quote, chip=str(c.n)))
    elif answer.nearest:
        head = (
            f'<span class="cqa-icon" aria-hidden="true">&#8856;</span> No answer to “{esc(answer.question)}”. '
            "Nearest sources (they do not answer the question):"
        )
        for j, passage in enumerate(answer.nearest):
            cards.append(_card(passage, index, "nearest", j, None, chip="~"))
    else:
        head = f"No sources for “{esc(answer.question)}”."
    kind = " cqa-abstained" if answer.abstained else ""
    return f'<div class="cqa-sources{kind}"><div class="cqa-sources-head">{head}</div>{"".join(cards)}</div>'


def _card(passage: Passage, index: int, kind: str, n: int, quote: str | None, chip: str) -> str:
    return (
        f'<div class="cqa-source cqa-a-{index} cqa-k-{kind} cqa-n-{n}" role="button" tabindex="0">'
        f'<div class="cqa-source-title"><span class="cqa-chip cqa-chip-static">{esc(chip)}</span> '
        f"{esc(passage.title)}</div>"
        f'<div class="cqa-source-loc">{where(passage)}</div>'
        f'<div class="cqa-source-text">{snippet(passage.text, quote)}</div>'
        f'<div class="cqa-open">Open in the document &#8250;</div></div>'
    )


def document_html(passage: Passage, excerpt: Excerpt | None, quote: str | None) -> str:
    """The page or section around the passage; the passage marked, its quoted sentence highlighted."""
    head = (
        f'<div class="cqa-doc-head"><div class="cqa-doc-title">{esc(passage.title)}</div>'
        f'<div class="cqa-source-loc">{where(passage)}</div></div>'
    )
    if excerpt is None:
        body = f'<span class="cqa-passage">{highlight(passage.text, quote)}</span>'
        note = '<div class="cqa-doc-note">The document is no longer in the index; showing the passage only.</div>'
    else:
        text = excerpt.text
        body = (
            f"{multiline(text[: excerpt.start])}"
            f'<span class="cqa-passage">{highlight(text[excerpt.start : excerpt.end], quote)}</span>'
            f"{multiline(text[excerpt.end :])}"
        )
        note = ""
    return f'<div class="cqa-doc">{head}{note}<div class="cqa-doc-body">{body}</div></div>'


def empty_document_html() -> str:
    return '<div class="cqa-doc cqa-empty">Choose a source to read it in its document.</div>'


# --- documents tab --------------------------------------------------------------------------

DOCUMENT_HEADERS = ["Title", "Date", "Format", "Chunks", "Indexed at", "File", "Address"]


def document_rows(docs: Iterable[IndexedDocument]) -> list[list[object]]:
    """Table rows, newest document first. Plain values: the table shows them as text."""
    ordered = sorted(docs, key=lambda d: (d.date or "", d.doc_id), reverse=True)
    return [
        [d.title, d.date or "undated", d.format, d.chunks, d.indexed_at.replace("T", " "), d.doc_id, d.url or ""]
        for d in ordered
    ]


def document_choices(docs: Iterable[IndexedDocument]) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.doc_id})", d.doc_id) for d in sorted(docs, key=lambda d: d.doc_id)]


def report_html(
    report: IngestReport | None,
    rejected: Sequence[FailedFile] = (),
    notes: Sequence[str] = (),
    error: str | None = None,
) -> str:
    """Summary of an upload, re-scan or delete: counts, then each failed or refused file with its reason."""
    parts: list[str] = []
    if error:
        parts.append(f'<div class="cqa-report-error"><span aria-hidden="true">&#9888;</span> {esc(error)}</div>')
    if report is not None:
        counts = [
            ("added", report.added),
            ("updated", report.updated),
            ("removed", report.removed),
            ("unchanged", report.unchanged),
            ("failed", len(report.failed) + len(rejected)),
        ]
        cells = "".join(f'<span class="cqa-count cqa-count-{k}"><b>{v}</b> {k}</span>' for k, v in counts)
        parts.append(
            f'<div class="cqa-counts">{cells}</div><div class="cqa-report-total">{report.chunks} chunks in the index'
            f" · {report.seconds:.1f} s</div>"
        )
    elif rejected:
        failed = f'<span class="cqa-count cqa-count-failed"><b>{len(rejected)}</b> failed</span>'
        parts.append(f'<div class="cqa-counts">{failed}</div>')
    failures = list(rejected) + (list(report.failed) if report else [])
    if failures:
        items = "".join(f"<li><b>{esc(f.source)}</b>: {esc(f.error)}</li>" for f in failures)
        parts.append(f'<ul class="cqa-failed">{items}</ul>')
    if notes:
        parts.append('<ul class="cqa-notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    return f'<div class="cqa-report">{"".join(parts)}</div>'


def filters_html(since: str | None, until: str | None, doc_count: int, error: str | None = None) -> str:
    if error:
        return f'<div class="cqa-filter-status cqa-report-error">&#9888; {esc(error)}</div>'
    active = []
    if since or until:
        active.append(f"dated {esc(since or '…')} to {esc(until or '…')}")
    if doc_count:
        active.append(f"{doc_count} selected document{'s' if doc_count != 1 else ''}")
    text = "Next questions search only " + " and ".join(active) if active else "Searching all documents."
    return f'<div class="cqa-filter-status">{text}</div>'
