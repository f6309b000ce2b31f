"""Markdown and plain text: optional front matter (title, date), headings become sections."""

from __future__ import annotations

import re

from ingest.loaders.common import Parsed, Sections, clean_text, decode_text, normalize_date
from rag.types import Block

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, text[match.end() :]


def _from_front_matter(fields: dict[str, str]) -> Parsed:
    url = fields.get("url", "")
    return Parsed(
        title=fields.get("title") or None,
        date=normalize_date(fields.get("date")),
        url=url if url.startswith(("http://", "https://")) else None,
    )


def _plain_markdown(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    return _EMPHASIS.sub(r"\2", line)


def load_markdown(data: bytes) -> Parsed:
    fields, body = split_front_matter(decode_text(data))
    parsed = _from_front_matter(fields)
    sections = Sections(parsed)
    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        heading = None if in_code else _HEADING.match(line)
        if heading:
            title = _plain_markdown(heading.group(2))
            if parsed.title is None and len(heading.group(1)) == 1:
                parsed.title = title
            sections.heading(title)
        else:
            sections.add(_plain_markdown(line))
    sections.close()
    return parsed


def load_text(data: bytes) -> Parsed:
    fields, body = split_front_matter(decode_text(data))
    parsed = _from_front_matter(fields)
    parsed.blocks.append(Block(text=clean_text(body)))
    return parsed
