"""Real test files of every format, written on the fly with the libraries users' tools use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from fpdf import FPDF


def write_pdf(path: Path, pages: list[str], title: str | None = None, created: dt.datetime | None = None) -> Path:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if created:
        pdf.set_creation_date(created)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def write_docx(
    path: Path, sections: list[tuple[str, list[str]]], title: str | None = None, created: dt.datetime | None = None
) -> Path:
    doc = Document()
    for heading, paragraphs in sections:
        doc.add_heading(heading, level=1)
        for paragraph in paragraphs:
            doc.add_paragraph(paragraph)
    if title:
        doc.core_properties.title = title
    if created:
        doc.core_properties.created = created
    doc.save(str(path))
    return path
