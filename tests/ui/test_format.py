"""The web UI without a server: formatting, escaping, safe upload names, auth settings, the chat function."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from rag.errors import ConfigError, LoadError, QueryError
from rag.index.excerpt import join
from rag.types import Answer, Citation, FailedFile, IndexedDocument, IngestReport, Passage
from ui.web import format as fmt
from ui.web.chat import filters_from
from ui.web.documents import corpus_path, free_path, safe_filename, save_uploads
from ui.web.server import launch_options, parse_auth

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def passage(text: str = "Alpha. The cluster joined in 2024. Omega.", **changes: object) -> Passage:
    values: dict[str, object] = {
        "chunk_id": "a.md#0123456789ab#0",
        "doc_id": "a.md",
        "text": text,
        "title": "Report",
        "source": "corpus/a.md",
        "date": "2024-01-15",
        "format": "markdown",
        "page": None,
        "section": "Members",
        "char_start": 0,
        "char_end": len(text),
        "score": 0.5,
    }
    values.update(changes)
    return Passage(**values)  # type: ignore[arg-type]


def answer(text: str, citations: list[Citation], **changes: object) -> Answer:
    values: dict[str, object] = {"question": "When?", "text": text, "citations": citations, "abstained": False}
    values["mode"] = "extractive"
    values.update(changes)
    return Answer(**values)  # type: ignore[arg-type]


def visible_text(markup: str) -> str:
    """What a browser shows of the markup (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup.replace("<br>", "\n")))


def test_markers_become_chips_naming_their_source() -> None:
    cite = Citation(1, passage(title="Progress <b>report</b>"), "The cluster joined in 2024.", 0.9)
    out = fmt.answer_html(answer("It joined in 2024. [1] Also [7].", [cite]), index=3)
    assert out.count('class="cqa-chip') == 1
    assert 'class="cqa-chip cqa-a-3 cqa-n-1"' in out
    assert 'title="Progress &lt;b&gt;report&lt;/b&gt;"' in out
    assert "&#91;7&#93;" in out  # a marker without a citation stays text
    assert "Extractive answer" in out
    assert "cqa-abstained" not in out


def test_every_text_from_documents_and_people_is_escaped() -> None:
    cite = Citation(1, passage(text=f"Before {XSS} after.", title=XSS, section=XSS, doc_id=XSS), XSS, 0.9)
    ans = answer(f"Text {XSS} [1]", [cite], question=XSS, notice=XSS)
    outputs = [
        fmt.answer_html(ans, 1),
        fmt.sources_html(ans, 1),
        fmt.document_html(cite.passage, fmt.Excerpt(f"x {XSS} y", 2, 2 + len(XSS)), XSS),
        fmt.question_html(XSS),
        fmt.error_html(XSS),
        fmt.report_html(IngestReport(failed=[FailedFile(XSS, XSS)]), [FailedFile(XSS, XSS)], [XSS], XSS),
        fmt.filters_html(XSS, XSS, 1),
        fmt.filters_html(None, None, 0, XSS),
    ]
    for out in outputs:
        assert "<img" not in out and "<script" not in out and 'onerror="' not in out, out
    assert XSS in visible_text(fmt.answer_html(ans, 1))
    assert XSS in visible_text(fmt.sources_html(ans, 1))


def test_markdown_and_template_syntax_stays_plain_text() -> None:
    text = '**bold** _it_ `code` $$x$$ {{value}} ${value} # head | a | it\'s "quoted" & &#x27; &amp;'
    out = fmt.question_html(text)
    inner = out.split(">", 1)[1].rsplit("<", 1)[0]
    for raw in ("**", "`", "$$", "{{", "${", "|", "'", '"', "& "):
        assert raw not in inner
    assert visible_text(out) == text
    assert visible_text(fmt.filters_html(None, None, 0, "not a date: '20x5'")) == "⚠ not a date: '20x5'"


def test_quote_is_highlighted_in_the_passage_even_across_line_breaks() -> None:
    out = fmt.highlight("One. The cluster\njoined in 2024. Two.", "The cluster joined in 2024.")
    assert "<mark>The cluster<br>joined in 2024.</mark>" in out
    assert "<mark>" not in fmt.highlight("Nothing here.", "absent sentence")
    card = fmt.snippet("word " * 100 + "The quote. " + "tail " * 100, "The quote.", around=30)
    assert card.startswith("… ") and card.endswith(" …") and "<mark>The quote.</mark>" in card


def test_sources_panel_lists_every_citation_with_title_date_place_and_quote() -> None:
    cites = [
        Citation(1, passage(), "The cluster joined in 2024.", 0.9),
        Citation(2, passage(doc_id="b.pdf", title="Brief", page=3, section=None, date=None), "Alpha.", 0.8),
    ]
    out = fmt.sources_html(answer("A [1] B [2]", cites), 5)
    assert out.count('class="cqa-source ') == 2
    assert "cqa-a-5 cqa-k-cite cqa-n-2" in out
    assert "2024-01-15, section “Members”" in out
    assert "undated, page 3" in out and "b.pdf" in out
    assert "<mark>The cluster joined in 2024.</mark>" in out
    assert "Ask a question" in fmt.sources_html(None, None)


def test_abstained_answer_looks_different_and_lists_nearest_sources() -> None:
    ans = answer("The documents do not answer this.", [], abstained=True, nearest=[passage(), passage(doc_id="c.md")])
    message = fmt.answer_html(ans, 1)
    assert "cqa-abstained" in message and fmt.ABSTAIN_HEADING in message and "&#8856;" in message
    panel = fmt.sources_html(ans, 1)
    assert "cqa-abstained" in panel and "Nearest sources" in panel
    assert panel.count("cqa-k-nearest") == 2


def test_mode_and_notice_are_shown() -> None:
    out = fmt.answer_html(answer("x", [], mode="llm", notice="The LLM did not answer", unsupported=2), 1)
    assert "LLM answer" in out and "The LLM did not answer" in out and "2 unsupported" in out


def test_plain_text_reads_back_questions_and_answers_without_markup() -> None:
    cite = Citation(1, passage(), "q", 0.9)
    assert fmt.plain_text(fmt.question_html("a < b & c\nd")) == "a < b & c\nd"
    assert fmt.plain_text([{"type": "text", "text": fmt.answer_html(answer("Yes. [1]", [cite]), 1)}]) == "Yes."


def test_document_view_marks_the_passage_and_its_quote() -> None:
    p = passage(text="The cluster joined in 2024.")
    out = fmt.document_html(p, fmt.Excerpt("Intro. The cluster joined in 2024. Outro.", 7, 34), "joined in 2024.")
    assert '<span class="cqa-passage">The cluster <mark>joined in 2024.</mark></span>' in out
    assert "Intro." in out and "Outro." in out
    assert "no longer in the index" in fmt.document_html(p, None, None)


def test_overlapping_chunks_are_joined_back_into_the_document_text() -> None:
    text = "First sentence. Second sentence. Third sentence."
    chunks = [passage(text=text[:32], char_start=0), passage(text=text[16:], char_start=16)]
    joined = join(chunks, passage(text=text[16:], char_start=16))
    assert joined.text == text
    assert text[joined.start : joined.end] == text[16:]


def test_report_counts_and_reasons() -> None:
    report = IngestReport(added=2, unchanged=5, failed=[FailedFile("bad.pdf", "not a PDF")], chunks=40, seconds=1.5)
    out = fmt.report_html(report, [FailedFile("big.md", "over the limit")], ["a.md was saved as a (2).md"])
    text = visible_text(out)
    for expected in ("2 added", "0 updated", "0 removed", "5 unchanged", "2 failed", "40 chunks"):
        assert expected in text
    assert "bad.pdf: not a PDF" in text and "big.md: over the limit" in text and "a (2).md" in text


def test_document_rows_newest_first() -> None:
    docs = [
        IndexedDocument("a.md", "A", "2021-01-01", "markdown", "s", "a", 3, "2025-01-01T10:00:00+00:00"),
        IndexedDocument("b.md", "B", None, "markdown", "s", "b", 1, "2025-01-01T10:00:00+00:00"),
        IndexedDocument(
            "c.pdf", "C", "2024-05-01", "pdf", "s", "c", 9, "2025-01-01T10:00:00+00:00", "https://example.org/c.pdf"
        ),
    ]
    rows = fmt.document_rows(docs)
    assert [r[-2] for r in rows] == ["c.pdf", "a.md", "b.md"]
    assert rows[0] == ["C", "2024-05-01", "pdf", 9, "2025-01-01 10:00:00+00:00", "c.pdf", "https://example.org/c.pdf"]
    assert rows[1][-1] == ""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/abs/path/Notes.MD", "Notes.md"),
        ("..", "upload"),
        (".hidden.md", "hidden.md"),
        ("~$lock.docx", "lock.docx"),
        ("CON.md", "_CON.md"),
        ("nul.txt", "_nul.txt"),
        ("com1.tar.md", "_com1.tar.md"),
        ("a\x00b\x1fc.md", "a_b_c.md"),
        ('x<y>:"|?*.md', "x_y______.md"),
        ("fullwidth\uff0f..\uff0fslash.md", "slash.md"),
        ("Cafe\u0301.md", "Café.md"),
        ("  spaced  name .md ", "spaced name.md"),
        ("right\u202etxt.md", "righttxt.md"),
    ],
)
def test_safe_filename(given: str, expected: str) -> None:
    name = safe_filename(given)
    assert name == expected
    assert "/" not in name and "\\" not in name and name not in (".", "..")


def test_safe_filename_limits_length_and_keeps_the_extension() -> None:
    name = safe_filename("é" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 200


def test_free_path_never_overwrites_a_different_file_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("old")
    (tmp_path / "a (2).md").write_text("other")
    assert free_path(tmp_path, "a.md", b"old", overwrite=False).name == "a.md"  # identical: same file
    assert free_path(tmp_path, "a.md", b"new", overwrite=False).name == "a (3).md"
    assert free_path(tmp_path, "a.md", b"new", overwrite=True).name == "a.md"
    assert free_path(tmp_path, "b.md", b"new", overwrite=False).name == "b.md"


def test_uploads_are_checked_by_extension_content_and_size(tmp_path: Path) -> None:
    corpus, incoming = tmp_path / "corpus", tmp_path / "in"
    incoming.mkdir()
    files = {
        "good.md": b"# Good\n\nA fine document.",
        "image.md": b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
        "fake.pdf": b"just text pretending",
        "tool.exe": b"MZ binary",
        "empty.txt": b"  \n",
        "big.txt": b"x" * 5000,
    }
    for name, data in files.items():
        (incoming / name).write_bytes(data)
    (corpus / "good.md").parent.mkdir()
    (corpus / "good.md").write_text("something else")
    saved = save_uploads(corpus, [incoming / n for n in files], overwrite=False, max_bytes=1000)
    assert [p.name for p in saved.paths] == ["good (2).md"]
    assert (corpus / "good.md").read_text() == "something else"
    assert saved.notes == ["good.md was saved as good (2).md"]
    reasons = {f.source: f.error for f in saved.rejected}
    assert "PNG" in reasons["image.md"]
    assert "not a PDF" in reasons["fake.pdf"]
    assert "unsupported" in reasons["tool.exe"]
    assert "empty" in reasons["empty.txt"]
    assert "over the limit" in reasons["big.txt"]
    assert sorted(p.name for p in corpus.iterdir()) == ["good (2).md", "good.md"]  # no temporary file left


def test_corpus_path_refuses_to_leave_the_corpus(tmp_path: Path) -> None:
    assert corpus_path(tmp_path, "sub/a.md") == tmp_path / "sub" / "a.md"
    for bad in ("../x.md", "/etc/passwd", "sub/../../x.md"):
        with pytest.raises(LoadError):
            corpus_path(tmp_path, bad)


def test_filters_from_the_ui_state() -> None:
    assert filters_from({}) is None
    assert filters_from({"since": "", "until": "", "doc_ids": []}) is None
    filters = filters_from({"since": "2024", "until": "2025-06", "doc_ids": ["a.md"]})
    assert filters is not None
    assert (filters.since, filters.until, filters.doc_ids) == ("2024-01-01", "2025-06-30", ("a.md",))
    with pytest.raises(QueryError):
        filters_from({"since": "last year"})


def test_auth_setting_pairs_or_file(tmp_path: Path) -> None:
    assert parse_auth(None) is None and parse_auth(" ") is None
    assert parse_auth("ann:secret, bob:pa:ss") == [("ann", "secret"), ("bob", "pa:ss")]
    users = tmp_path / "users"
    users.write_text("# logins\nann:one\n\ncarl:two\n")
    assert parse_auth(str(users)) == [("ann", "one"), ("carl", "two")]
    for bad in ("nopassword", "ann:", ":secret"):
        with pytest.raises(ConfigError):
            parse_auth(bad)


def test_launch_is_private_and_offline(tmp_path: Path) -> None:
    from rag.config import AppConfig

    options = launch_options(AppConfig(corpus_dir=tmp_path), "127.0.0.1", 7860, [("a", "b")])
    assert options["share"] is False and options["footer_links"] == [] and options["ssr_mode"] is False
    assert options["auth"] == [("a", "b")]
    theme = options["theme"]
    assert theme._stylesheets == []  # no web font stylesheet to fetch
    assert "ui-sans-serif" in theme.font and "monospace" in theme.font_mono


def test_auth_comes_from_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from rag.config import AppConfig
    from ui.web.server import auth_from_config

    config = AppConfig(corpus_dir=tmp_path)
    assert auth_from_config(config) is None
    monkeypatch.setenv("CLUSTERQA_AUTH", "ann:one,bob:two")
    assert auth_from_config(AppConfig(corpus_dir=tmp_path)) == [("ann", "one"), ("bob", "two")]
