"""The `<file>.source.json` beside a document fetched by address: where it came from and when."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

SUFFIX = ".source.json"


@dataclass(frozen=True)
class Source:
    """What `clusterqa add` knows of one saved document; `sha256` is of the saved content."""

    url: str
    fetched: str
    checked: str
    sha256: str
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    date: str | None = None


def is_sidecar(name: str) -> bool:
    return name.endswith(SUFFIX)


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.name + SUFFIX)


def document_path(sidecar: Path) -> Path:
    return sidecar.with_name(sidecar.name[: -len(SUFFIX)])


def read_source(document: Path) -> Source | None:
    """The record beside this document, or None when there is none or it is unreadable."""
    try:
        data = json.loads(sidecar_path(document).read_text(encoding="utf-8"))
        return Source(**{k: data.get(k) for k in Source.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return None


def write_source(document: Path, source: Source) -> None:
    path = sidecar_path(document)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(source), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
