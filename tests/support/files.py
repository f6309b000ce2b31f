"""Real test files of every format, written on the fly with the libraries users' tools use."""

from __future__ import annotations

import datetime as dt
import random
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


CLUSTERS = ("Saraburi", "Tianjin", "Rotterdam", "Humber", "Kwinana", "Basque", "Gladstone", "Houston", "Ruhr")
TOPICS = ("hydrogen", "carbon capture", "steel", "cement", "ammonia", "shipping fuels", "heat pumps", "grid storage")


def varied_markdown(name: str, seed: int, paragraphs: int = 6) -> str:
    """A small markdown document whose text depends on (name, seed): a different seed is a new version."""
    rng = random.Random(f"{name}:{seed}")
    cluster = rng.choice(CLUSTERS)
    lines = [f"# {cluster} note {name}", "", f"Version {seed} of {name}, dated 20{rng.randint(20, 26)}."]
    for number in range(paragraphs):
        topic = rng.choice(TOPICS)
        lines += [
            "",
            f"## Part {number + 1}: {topic}",
            "",
            f"The {cluster} cluster reported {rng.randint(2, 98)} percent progress on {topic} in {name}. "
            f"Partners in {rng.choice(CLUSTERS)} agreed to share {rng.randint(3, 40)} pilot sites, "
            f"and {rng.randint(100, 9000)} workers were trained for {rng.choice(TOPICS)} projects. "
            f"Investment reached {rng.randint(1, 900)} million and emissions fell by {rng.randint(1, 60)} percent.",
        ]
    return "\n".join(lines) + "\n"


def write_varied_corpus(folder: Path, count: int, seed: int = 0, paragraphs: int = 6) -> list[Path]:
    """`count` varied markdown files doc-00.md, doc-01.md, ... (some in a subfolder)."""
    paths = []
    for number in range(count):
        name = f"doc-{number:02d}.md" if number % 5 else f"sub/doc-{number:02d}.md"
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(varied_markdown(name, seed, paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


def write_pdf_page(path: Path, text: str, size_mm: tuple[float, float], font_size: float = 6) -> Path:
    """One page of the given size (a huge one if asked), filled with text in a small font."""
    pdf = FPDF(format=size_mm)
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=font_size)
    pdf.add_page()
    pdf.multi_cell(0, font_size * 0.5, text)
    if pdf.page != 1:
        raise ValueError("the text does not fit one page; make the page larger")
    pdf.output(str(path))
    return path


def write_zero_page_pdf(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    from pypdf import PdfWriter

    with path.open("wb") as handle:
        PdfWriter().write(handle)
    return path


def write_encrypted_pdf(path: Path, text: str, password: str = "s3cret") -> Path:
    """A PDF that needs a user password to open."""
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(path.with_name(f".plain-{path.name}"), [text])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    plain.unlink()
    writer.encrypt(user_password=password, algorithm="RC4-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A PDF page with drawing but no text layer, as a scanner makes."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    pdf.output(str(path))
    return path


def write_zip_bomb_docx(path: Path, inflated_mb: int = 50) -> Path:
    """A .docx (ZIP) whose document part inflates from a few kB to inflated_mb megabytes."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>" + b"\0" * (inflated_mb * 1024 * 1024))
    return path


def mutate_corpus(folder: Path, rng: random.Random, version: int, changes: int = 2) -> dict[str, list[str]]:
    """Modify, add, delete and rename a few documents of a varied corpus; returns the doc_ids touched, by kind."""
    files = sorted(p for p in folder.rglob("*.md"))
    rng.shuffle(files)
    done: dict[str, list[str]] = {"modified": [], "added": [], "deleted": [], "renamed": []}
    for path in files[:changes]:
        path.write_text(varied_markdown(path.name, 1000 * version + len(done["modified"])), encoding="utf-8")
        done["modified"].append(path.relative_to(folder).as_posix())
    for path in files[changes : 2 * changes]:
        path.unlink()
        done["deleted"].append(path.relative_to(folder).as_posix())
    for path in files[2 * changes : 2 * changes + 1]:
        target = folder / "moved" / f"v{version}-{path.name}"
        target.parent.mkdir(exist_ok=True)
        path.rename(target)
        done["renamed"].append(target.relative_to(folder).as_posix())
    for number in range(changes):
        name = f"new-{version}-{number}.md"
        (folder / name).write_text(varied_markdown(name, version), encoding="utf-8")
        done["added"].append(name)
    return done
