"""HTML: the main text without navigation, scripts or styles; headings become sections."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from ingest.loaders.common import Parsed, Sections, clean_text, decode_text, normalize_date
from rag.errors import LoadError
from rag.types import Block

_DROP = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "footer",
]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "li", "blockquote", "pre", "figcaption", "dt", "dd", "tr", "caption"}
_DATE_META = [
    ("property", "article:published_time"),
    ("name", "date"),
    ("name", "dc.date"),
    ("name", "dc.date.issued"),
    ("name", "dcterms.date"),
    ("name", "pubdate"),
    ("name", "publish-date"),
    ("itemprop", "datePublished"),
    ("property", "og:published_time"),
]


def _meta_date(soup: BeautifulSoup) -> str | None:
    for attr, name in _DATE_META:
        for tag in soup.find_all("meta", attrs={attr: True}):
            if str(tag.get(attr, "")).lower() == name.lower():
                date = normalize_date(tag.get("content"))
                if date:
                    return date
    time = soup.find("time", attrs={"datetime": True})
    return normalize_date(time.get("datetime")) if isinstance(time, Tag) else None


def _title(soup: BeautifulSoup) -> str | None:
    if soup.title and soup.title.get_text(strip=True):
        return soup.title.get_text(" ", strip=True)
    og = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og, Tag) and og.get("content"):
        return str(og["content"]).strip()
    h1 = soup.find("h1")
    return h1.get_text(" ", strip=True) if h1 else None


def _markup(data: bytes) -> str | bytes:
    try:
        return decode_text(data)
    except LoadError:
        if b"charset" in data[:4096].lower():
            return data  # BeautifulSoup honours the declared charset
        raise


def load_html(data: bytes) -> Parsed:
    soup = BeautifulSoup(_markup(data), "lxml")
    parsed = Parsed(
        title=_title(soup),
        date=_meta_date(soup),
        empty_reason="the page has no readable text (only scripts, styles or markup)",
    )
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for header in soup.find_all("header"):
        if not header.find_parent(["article", "main"]):
            header.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    sections = Sections(parsed)
    for element in root.find_all(list(_HEADINGS | _BLOCKS)):
        if element.find_parent(list(_BLOCKS)):
            continue
        if element.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in element.find_all(["td", "th"]))
        else:
            text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name in _HEADINGS:
            sections.heading(text)
        else:
            sections.add(text)
    sections.close()
    if not parsed.blocks:
        loose = clean_text(root.get_text("\n"))
        if loose:
            parsed.blocks.append(Block(text=loose))
    return parsed
