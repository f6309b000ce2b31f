"""`clusterqa add`: fetch addresses into the corpus, then index only the files that changed."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ingest import fetch as web
from ingest.indexer import Progress, run_ingest
from ingest.sidecar import SUFFIX, Source, document_path, read_source, sidecar_path, write_source
from ingest.webdoc import Content, content_hash, convert, file_name
from rag.config import AppConfig
from rag.errors import FetchError
from rag.index.embedder import Embedder
from rag.index.store import Store
from rag.types import IngestReport

# What happened to one address: added, updated and unchanged leave a file in the corpus; gone keeps the last copy.
Status = str
ADDED, UPDATED, UNCHANGED, GONE, FAILED = "added", "updated", "unchanged", "gone", "failed"


@dataclass(frozen=True)
class Entry:
    """An address to add, with the date and title a list of addresses may give for it."""

    url: str
    date: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Outcome:
    url: str
    path: str | None
    status: Status
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "path": self.path, "status": self.status, "error": self.error}


@dataclass
class AddReport:
    fetched: list[Outcome] = field(default_factory=list)
    ingest: IngestReport = field(default_factory=IngestReport)

    @property
    def failed(self) -> bool:
        return any(o.status in (FAILED, GONE) for o in self.fetched)

    def as_json(self) -> dict[str, object]:
        return {
            "fetched": [o.as_json() for o in self.fetched],
            **self.ingest.as_json(),
            "embedded": self.ingest.embedded,
        }


def read_list(path: Path) -> list[Entry]:
    """One address per line, then optionally a date (YYYY-MM-DD or YYYY-MM) and a title; `#` starts a comment line."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        url, rest = words[0], words[1:]
        date = rest.pop(0) if rest and _is_date(rest[0]) else None
        entries.append(Entry(url, date, " ".join(rest) or None))
    return entries


def added_sources(corpus: Path) -> list[tuple[Path, Source]]:
    """Every document of the corpus that `clusterqa add` saved, with its record."""
    found = []
    for sidecar in sorted(corpus.rglob("*" + SUFFIX)):
        document = document_path(sidecar)
        source = read_source(document)
        if source is not None and document.is_file():
            found.append((document, source))
    return found


def add_addresses(
    config: AppConfig,
    store: Store,
    embedder: Embedder,
    entries: Sequence[Entry],
    refresh: bool = False,
    progress: Progress | None = None,
    announce: Callable[[Outcome], None] | None = None,
    wait: float = 0,
) -> AddReport:
    """Fetch each address (or, with refresh, every address added before), save what changed, index it."""
    known = {source.url: (path, source) for path, source in added_sources(config.corpus_dir)}
    if refresh:
        entries = [*entries, *(Entry(url) for url in known if url not in {e.url for e in entries})]
    report = AddReport()
    changed: list[Path] = []
    with web.client(config) as client:
        for number, entry in enumerate(entries, start=1):
            if progress:
                progress("fetching", number, len(entries))
            outcome = _add_one(client, config, entry, known, refresh)
            report.fetched.append(outcome)
            if announce:
                announce(outcome)
            if outcome.status in (ADDED, UPDATED) and outcome.path:
                changed.append(config.corpus_dir / outcome.path)
    # An address that now serves another kind of document replaced its old file: the index drops that one.
    changed += [path for path, _ in known.values() if not path.exists()]
    if changed:
        report.ingest = run_ingest(config, store, embedder, changed, progress=progress, wait=wait)
    else:
        report.ingest.chunks = store.count()
    return report


def _add_one(
    client: httpx.Client,
    config: AppConfig,
    entry: Entry,
    known: dict[str, tuple[Path, Source]],
    refresh: bool,
) -> Outcome:
    try:
        url = web.normalize(entry.url)
    except FetchError as exc:
        return Outcome(entry.url, None, FAILED, str(exc))
    path, old = known.get(url, (None, None))
    shown = path.relative_to(config.corpus_dir).as_posix() if path else None
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        # Conditional requests only on refresh: adding an address again always brings a fresh copy.
        since = old if (refresh and old) else None
        answer = web.fetch(client, url, config, since.etag if since else None, since.last_modified if since else None)
        if answer.not_modified and path and old:
            write_source(path, Source(**{**old.__dict__, "checked": now}))
            return Outcome(url, shown, UNCHANGED)
        content = convert(answer.content_type, answer.body, url, now, entry.title, entry.date)
    except FetchError as exc:
        if refresh and path:
            return Outcome(url, shown, GONE, f"{exc}; the last copy is kept")
        return Outcome(url, shown, FAILED, str(exc))
    target = path if path and path.suffix == content.suffix else config.corpus_dir / file_name(url, content.suffix)
    digest = content_hash(content.data)
    source = Source(url, now, now, digest, answer.etag, answer.last_modified, content.title, content.date)
    relative = target.relative_to(config.corpus_dir).as_posix()
    if old and path == target and old.sha256 == digest:
        write_source(target, Source(**{**source.__dict__, "fetched": old.fetched}))
        return Outcome(url, relative, UNCHANGED)
    _save(target, content)
    write_source(target, source)
    if path and path != target:  # the address now serves another kind of document: the old copy goes
        path.unlink(missing_ok=True)
        sidecar_path(path).unlink(missing_ok=True)
    return Outcome(url, relative, UPDATED if old else ADDED)


def _save(target: Path, content: Content) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name("." + target.name + ".part")  # hidden: an ingest running meanwhile skips it
    temporary.write_bytes(content.data)
    os.replace(temporary, target)


def _is_date(word: str) -> bool:
    """An ISO date, or a year and month when that is all a list knows."""
    try:
        dt.date.fromisoformat(word if len(word) != 7 else word + "-01")
    except ValueError:
        return False
    return True
