"""Generated PDFs with what real reports have: two columns, tables with footnote markers,
running headers and footers, printed page numbers that differ from the PDF's, a scanned page."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

LEFT = [f"Left column sentence {n} tells of the hydrogen valley in part {n}." for n in range(1, 9)]
RIGHT = [f"Right column sentence {n} tells of the carbon capture hub in part {n}." for n in range(1, 9)]
HEADER = "Acme Cluster Sustainability Report 2024"
FOOTER = "Acme Cluster | Responsible growth"
FRONT_PAGES = 2  # unnumbered cover pages: printed page 1 is PDF page 3


class _Report(FPDF):
    def header(self) -> None:
        if self.page_no() > FRONT_PAGES:
            self.set_font("Helvetica", size=8)
            self.set_xy(10, 6)
            self.cell(0, 5, HEADER)

    def footer(self) -> None:
        if self.page_no() > FRONT_PAGES:
            self.set_font("Helvetica", size=8)
            self.set_xy(10, -12)
            self.cell(150, 5, FOOTER)
            self.cell(0, 5, str(self.page_no() - FRONT_PAGES), align="R")


def _two_columns(pdf: FPDF) -> None:
    pdf.set_font("Helvetica", size=10)
    top = 30.0
    for n, (left, right) in enumerate(zip(LEFT, RIGHT, strict=True)):
        pdf.set_xy(10, top + n * 12)
        pdf.multi_cell(85, 5, left)
        pdf.set_xy(110, top + n * 12)
        pdf.multi_cell(85, 5, right)


def _table(pdf: FPDF) -> None:
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(10, 30)
    pdf.cell(0, 6, "Greenhouse gas emissions (thousand t CO2e)")
    rows = [
        ("", "FY2024", "FY2023"),
        ("Scope 1 emissions", "347", "421"),
        ("Scope 2", "94", "163"),
        ("Purchased goods and services", "8,931", "9,218"),
    ]
    markers = {(2, 0): "2", (3, 2): "3"}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x = 10 if c == 0 else 100 + 40 * (c - 1)
            y = 45 + r * 8
            pdf.set_font("Helvetica", size=10)
            pdf.set_xy(x, y)
            width = pdf.get_string_width(text)
            pdf.cell(width + 1, 6, text)
            if (r, c) in markers:  # a raised, smaller footnote marker right after the text
                pdf.set_xy(x + width + 0.2, y)
                pdf.char_vpos = "SUP"
                pdf.cell(3, 6, markers[(r, c)])
                pdf.char_vpos = "LINE"
    pdf.set_font("Helvetica", size=8)
    pdf.set_xy(10, 90)
    pdf.multi_cell(0, 4, "2 Market-based method.\n3 Restated after a supplier survey.")


def _prose(pdf: FPDF, n: int) -> None:
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(10, 30)
    pdf.multi_cell(0, 5, f"Page body {n}: the cluster trained {100 + n} workers on heat pumps this year.")


def write_report_pdf(path: Path, scanned: Path | None = None) -> Path:
    """Two cover pages, then: two columns, a table with markers, prose pages; optional scanned page last."""
    pdf = _Report()
    pdf.set_auto_page_break(False)
    for n in range(FRONT_PAGES):
        pdf.add_page()
        pdf.set_font("Helvetica", size=20)
        pdf.set_xy(10, 100)
        pdf.cell(0, 10, f"Cover page {n + 1}")
    pdf.add_page()
    _two_columns(pdf)
    pdf.add_page()
    _table(pdf)
    for n in range(3):
        pdf.add_page()
        _prose(pdf, n)
    if scanned is not None:
        pdf.add_page()
        pdf.image(str(scanned), x=10, y=30, w=190)
    pdf.output(str(path))
    return path


def write_scan_image(path: Path, lines: list[str]) -> Path:
    """A page-like PNG of printed text with no text layer, as a scanner makes."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 160 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for n, line in enumerate(lines):
        draw.text((80, 80 + 90 * n), line, fill=0, font=font)
    image.save(path)
    return path


TABLE_LEAD = [
    "Customer relationships have a weighted average remaining amortization period of four years and",
    "developed technology a weighted average amortization period of ten years.",
    "Future amortization expense of intangible assets is as follows (in thousands):",
]
YEAR_ROWS = [("2023", "$ 7,169"), ("2024", "7,169"), ("2025", "7,064")]


def write_table_after_prose_pdf(path: Path) -> Path:
    """Prose flush left, ending in a lead-in with a colon, then a table whose labels are years."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for n, line in enumerate(TABLE_LEAD):
        pdf.set_xy(10, 30 + 5 * n)
        pdf.cell(0, 5, line)
    for n, (label, value) in enumerate(YEAR_ROWS):
        pdf.set_xy(10, 47 + 5 * n)
        pdf.cell(20, 5, label)
        pdf.set_xy(120, 47 + 5 * n)
        pdf.cell(30, 5, value)
    pdf.output(str(path))
    return path
