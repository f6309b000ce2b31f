"""Report-PDF problems on generated files: two columns, tables with footnote markers, running headers
and footers, printed page labels, a scanned page; and the page-true citation that comes out."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunker import chunk_document
from ingest.indexer import run_ingest
from ingest.loaders import load_document, ocr
from ingest.loaders.pdf import table_caption
from rag.errors import LoadError
from rag.index.embedder import Embedder
from rag.types import Document
from tests.support.files import write_image_only_pdf
from tests.support.report_pdf import (
    FOOTER,
    FRONT_PAGES,
    HEADER,
    LEFT,
    RIGHT,
    TABLE_LEAD,
    YEAR_ROWS,
    write_report_pdf,
    write_scan_image,
    write_table_after_prose_pdf,
)
from ui.ask import location, render
from ui.web.format import document_html

MB = 1024 * 1024
SCAN_LINES = ["Hydrogen valley produced 42 tonnes", "of green hydrogen in its first year."]
HAS_TESSERACT = ocr.available()


def load(path: Path) -> Document:
    return load_document(path, path.name, 10 * MB)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return load(write_report_pdf(tmp_path_factory.mktemp("report") / "report.pdf"))


def page_text(doc: Document, page: int) -> str:
    return "\n".join(b.text for b in doc.blocks if b.page == page)


def test_two_columns_are_read_column_after_column(report: Document) -> None:
    text = page_text(report, FRONT_PAGES + 1)
    positions = [text.index(sentence) for sentence in LEFT + RIGHT]
    assert positions == sorted(positions), text


def test_table_rows_keep_label_and_years_without_footnote_markers(report: Document) -> None:
    text = page_text(report, FRONT_PAGES + 2)
    lines = text.split("\n")
    assert "Scope 1 emissions, FY2024: 347; FY2023: 421" in lines
    assert "Scope 2, FY2024: 94; FY2023: 163" in lines
    assert "Purchased goods and services, FY2024: 8,931; FY2023: 9,218" in lines
    assert "Scope 22" not in text and "9,2183" not in text


def test_the_prose_above_a_table_stays_prose_heads_none_of_its_columns_and_captions_it(tmp_path: Path) -> None:
    doc = load(write_table_after_prose_pdf(tmp_path / "notes.pdf"))
    prose, table = doc.blocks
    assert prose.text == f"{TABLE_LEAD[0]} {TABLE_LEAD[1]}\n{TABLE_LEAD[2]}"
    assert table.text.split("\n") == [f"{year}; {value}" for year, value in YEAR_ROWS]
    assert (prose.section, table.section) == (None, TABLE_LEAD[2])
    chunks = chunk_document(doc, Embedder(), 256, 32)
    assert [c.section for c in chunks] == [None, TABLE_LEAD[2]]


@pytest.mark.parametrize(
    ("prose", "caption"),
    [
        ("Leases run to 2030. Payments are as follows (in thousands):", "Payments are as follows (in thousands):"),
        ("Revenue rose.\nOperating expenses", "Operating expenses"),
        ("Revenue rose.\nThree Months Ended March 31, 2022", "Three Months Ended March 31, 2022"),
        ("The company sold its plant in March and leased it back for ten years.", None),
        ("Weighted-average value of", None),
        ("% Change", None),
        ("(9,227) $ 12,400 Interest-bearing liabilities", None),
    ],
)
def test_a_table_caption_is_a_lead_in_or_a_short_title_never_a_sentence_or_a_cut_line(
    prose: str, caption: str | None
) -> None:
    assert table_caption(prose) == caption


def test_running_header_footer_and_page_numbers_are_dropped_but_pages_kept(report: Document) -> None:
    assert [b.page for b in report.blocks][-1] == FRONT_PAGES + 5
    for block in report.blocks:
        assert HEADER not in block.text and FOOTER not in block.text
        assert block.text.strip() != str(block.label)


def test_printed_page_labels_follow_the_printed_numbers(report: Document) -> None:
    labels = {b.page: b.label for b in report.blocks}
    assert labels[1] is None and labels[2] is None
    assert [labels[p] for p in range(FRONT_PAGES + 1, FRONT_PAGES + 6)] == ["1", "2", "3", "4", "5"]


def test_the_chunker_never_splits_a_table_row(report: Document, embedder: Embedder) -> None:
    rows = [line for b in report.blocks for line in b.text.split("\n") if "FY2024:" in line]
    # A window just over the longest row: chunks must break between rows, never inside one.
    window = max(embedder.count_tokens(rows)) + 2
    chunks = chunk_document(report, embedder, max_tokens=window, overlap_tokens=0)
    assert sum("FY2024:" in c.text for c in chunks) > 1
    for row in rows:
        assert any(row in c.text for c in chunks), row
    assert all(c.page_label == next(b.label for b in report.blocks if b.page == c.page) for c in chunks)


@pytest.mark.skipif(not HAS_TESSERACT, reason="Tesseract is not installed (Debian: tesseract-ocr)")
def test_a_scanned_page_is_read_by_ocr_and_marked(tmp_path: Path) -> None:
    scan = write_scan_image(tmp_path / "scan.png", SCAN_LINES)
    doc = load(write_report_pdf(tmp_path / "scanned.pdf", scanned=scan))
    last = [b for b in doc.blocks if b.page == FRONT_PAGES + 6]
    assert last and all(b.ocr for b in last)
    text = " ".join(" ".join(b.text.split()) for b in last)
    assert "42 tonnes" in text and "green hydrogen" in text
    assert HEADER not in text
    assert not any(b.ocr for b in doc.blocks if b.page != FRONT_PAGES + 6)


def test_without_tesseract_a_scan_still_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(LoadError, match="no text layer.*tesseract-ocr"):
        load(write_image_only_pdf(tmp_path / "scan.pdf"))


def test_citations_name_pdf_page_and_printed_label(make_context, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_report_pdf(corpus / "report.pdf")
    ctx = make_context(corpus)
    report = run_ingest(ctx.config, ctx.store, ctx.embedder, [], False)
    assert not report.failed
    answer = ctx.assistant.answer("How many workers did the cluster train on heat pumps?")
    assert answer.citations, answer.as_json()
    passage = answer.citations[0].passage
    page, printed = passage.page, str((passage.page or 0) - FRONT_PAGES)
    assert page is not None and page > FRONT_PAGES and passage.page_label == printed
    assert "workers on heat pumps" in passage.text
    assert answer.citations[0].as_json()["page"] == page and answer.citations[0].as_json()["page_label"] == printed
    shown = f"page {page} (printed {printed})"
    assert shown in location(passage) and shown in render(answer)
    # The document view opens that page: its text, not the other pages' text.
    view = document_html(passage, ctx.assistant.excerpt(passage), answer.citations[0].quote)
    assert shown in view and passage.text.split(":")[0] in view
    assert all(f"Page body {n}:" not in view for n in range(3) if f"Page body {n}:" not in passage.text)
