"""Each loader on real files of its format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.loaders import load_document
from rag.errors import LoadError
from tests.support.files import (
    write_docx,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_pdf,
    write_zip_bomb_docx,
)

MB = 1024 * 1024


def load(path: Path) -> object:
    return load_document(path, path.name, 10 * MB)


def test_markdown_front_matter_headings_and_sections(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        '---\ntitle: "Cluster note"\ndate: 2024-01-15\n---\n# Ignored heading title\n\n'
        "Intro with a [link](https://example.org) and **bold** text.\n\n## Members\n\nTwenty clusters.\n",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Cluster note"
    assert doc.date == "2024-01-15"
    assert doc.format == "markdown"
    assert [b.section for b in doc.blocks] == ["Ignored heading title", "Members"]
    assert "a link and bold text." in doc.blocks[0].text
    assert doc.blocks[1].text == "Members\n\nTwenty clusters."
    assert len(doc.sha256) == 64


def test_markdown_title_from_first_heading_and_no_date(tmp_path: Path) -> None:
    path = tmp_path / "plain-note.md"
    path.write_text("# The first heading\n\nBody text here.\n", encoding="utf-8")
    doc = load(path)
    assert doc.title == "The first heading"
    assert doc.date is None


def test_text_file_utf16_with_bom_and_filename_title(tmp_path: Path) -> None:
    path = tmp_path / "cluster_profiles.txt"
    path.write_bytes("Kwinana Industries Council — Australia.".encode("utf-16"))
    doc = load(path)
    assert doc.title == "Cluster profiles"
    assert doc.text == "Kwinana Industries Council — Australia."


def test_html_main_text_without_navigation_scripts_or_styles(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<html><head><title>Eight clusters now</title>
        <meta property="article:published_time" content="2022-06-20T09:00:00Z">
        <style>.x{color:red}</style><script>var secret = "SCRIPTTEXT";</script></head>
        <body><nav><a href="/">Home</a> NAVTEXT</nav><header>SITEHEADER</header>
        <main><article><h1>Eight clusters</h1><p>The initiative grew to eight members.</p>
        <h2>Figures</h2><p>More than 334 Mt CO2.</p>
        <table><tr><th>GDP</th><th>Jobs</th></tr><tr><td>$182 billion</td><td>1.1 million</td></tr></table>
        </article></main><footer>FOOTERTEXT cookies</footer></body></html>""",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Eight clusters now"
    assert doc.date == "2022-06-20"
    text = doc.text
    for junk in ("SCRIPTTEXT", "NAVTEXT", "SITEHEADER", "FOOTERTEXT", "color:red"):
        assert junk not in text
    assert [b.section for b in doc.blocks] == ["Eight clusters", "Figures"]
    assert "$182 billion | 1.1 million" in text


def test_pdf_pages_title_and_date(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "report.pdf",
        ["Page one says twenty clusters.", "Page two says 626 million tonnes.", "Page three thanks partners."],
        title="Progress report 2024",
        created=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
    )
    doc = load(path)
    assert doc.format == "pdf"
    assert doc.title == "Progress report 2024"
    assert doc.date == "2024-01-15"
    assert [b.page for b in doc.blocks] == [1, 2, 3]
    assert "626 million tonnes" in doc.blocks[1].text


def test_docx_headings_become_sections_and_core_properties(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "update.docx",
        [("Overview", ["Thirty-three clusters."]), ("Impact", ["832 million tonnes CO2e.", "4.3 million jobs."])],
        title="Annual update 2025",
        created=dt.datetime(2025, 1, 20),
    )
    doc = load(path)
    assert doc.format == "docx"
    assert doc.title == "Annual update 2025"
    assert doc.date == "2025-01-20"
    assert [b.section for b in doc.blocks] == ["Overview", "Impact"]
    assert "4.3 million jobs." in doc.blocks[1].text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("latin1.txt", "café crème".encode("latin-1"), "not valid UTF-8"),
        ("binary.md", b"abc\x00\x01\x02def" * 10, "binary"),
        ("really-a-pdf.txt", b"%PDF-1.4 fake", "a PDF named .txt"),
        ("fake.pdf", b"hello, I am text", "not a PDF"),
        ("corrupt.pdf", b"%PDF-1.7\n1 0 obj garbage\n%%EOF", "PDF"),
        ("fake.docx", b"plain text, not a zip", "not a DOCX"),
        ("notes.odt", b"whatever", "unsupported file type '.odt'"),
        ("scripts-only.html", b"<html><script>alert(1)</script><style>p{}</style></html>", "no readable text"),
    ],
)
def test_bad_files_get_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load(path)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="encrypted"):
        load(write_encrypted_pdf(tmp_path / "locked.pdf", "Secret figures."))


def test_pdf_without_text_layer_says_it_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="OCR"):
        load(write_image_only_pdf(tmp_path / "scan.pdf"))


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    with pytest.raises(LoadError, match="over the limit"):
        load_document(path, path.name, 1000)


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="zip bomb"):
        load(write_zip_bomb_docx(tmp_path / "bomb.docx", inflated_mb=50))


def test_pdf_line_wrapping_is_undone_but_headings_and_table_rows_stay() -> None:
    from ingest.loaders.pdf import join_wrapped_lines

    text = (
        "4.1 Founding members\n"
        "The initiative set out to engage more than 100 industrial clusters by a date it named at the\n"
        "launch, and it had reached 20 members by\n"
        "2024. It had 20 members in 10 countries, 626 million t CO2 and $362 billion.\n"
        "Date Members Potential GDP\n"
        "May 2022 8 members 334 million t CO2 $182 billion 1.1 million\n"
        "Jan 2024 20 clusters 626 million t CO2 $362 billion 3.4 million"
    )
    lines = join_wrapped_lines(text).split("\n")
    assert lines[0] == "4.1 Founding members"
    assert lines[1].startswith("The initiative") and "members by 2024. It had 20 members" in lines[1]
    assert lines[-2:] == text.split("\n")[-2:]


def test_pdf_sentences_dense_with_figures_are_joined_across_their_wrap() -> None:
    """Such a line has as many figures as a row of a table; cut at its wrap, a quote lost its unit ("US$40.8")."""
    from ingest.loaders.pdf import join_wrapped_lines

    wrapped = [
        "As of December 31, 2022, RMB266.0 million (US$40.8 million) was due to the lender and RMB289.8 (US$45.5",
        "million) was due from it at December 31, 2021, 2022 and 2023, after the settlement reached with",
        "Harbour Finance in March 2021, 2022 and 2023, which the Board approved.",
    ]
    assert join_wrapped_lines("\n".join(wrapped)) == " ".join(wrapped)
