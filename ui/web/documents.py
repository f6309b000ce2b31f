"""Document management from the browser: uploads saved under safe names, deletes, and the ingest calls."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.indexer import run_ingest
from ingest.loaders import check_supported, parse_bytes, size_reason
from ingest.sidecar import sidecar_path
from rag.app import AppContext
from rag.errors import ClusterQAError, LoadError
from rag.types import FailedFile, IngestReport

log = logging.getLogger(__name__)

INGEST_WAIT_SECONDS = 60
MAX_NAME_BYTES = 200
# Names Windows reserves for devices, with or without an extension; a share of the corpus may be read there.
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(10)}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')

Progress = Callable[[str, int, int], None]


def safe_filename(name: str) -> str:
    """A name that stays inside the folder it is saved to, on any system, and that the indexer reads."""
    # NFKC first: it folds look-alikes such as the fullwidth solidus into the separators removed below.
    name = unicodedata.normalize("NFKC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cc", "Zl", "Zp"))
    name = re.sub(r"\s+", " ", name).strip(" .")
    # Dot files and Office lock files are skipped by the indexer: strip what would hide the file.
    while name.startswith(("~$", ".")):
        name = name[2:] if name.startswith("~$") else name[1:]
        name = name.lstrip(" .")
    if name.partition(".")[0].rstrip(" ").upper() in RESERVED:
        name = f"_{name}"
    stem, suffix = os.path.splitext(name)
    if not stem:
        stem = "upload"
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "upload") + suffix.lower()


def free_path(folder: Path, name: str, data: bytes, overwrite: bool) -> Path:
    """Where to save: the name itself when free, identical or to be overwritten; else "name (2).ext"."""
    target = folder / name
    if overwrite or not target.exists() or _same(target, data):
        return target
    stem, suffix = os.path.splitext(name)
    for number in range(2, 10_000):
        candidate = folder / f"{stem} ({number}){suffix}"
        if not candidate.exists() or _same(candidate, data):
            return candidate
    raise LoadError(f"too many files named like {name}")


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()
    except OSError:
        return False


def check_upload(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse what the indexer would refuse: type by extension and by content, size, readable text."""
    check_supported(Path(name))
    if len(data) > max_bytes:
        raise LoadError(size_reason(len(data), max_bytes))
    if not data.strip():
        raise LoadError("the file is empty")
    parse_bytes(data, Path(name), name)  # sniffs the content against the extension, then parses it


@dataclass
class Saved:
    paths: list[Path] = field(default_factory=list)
    rejected: list[FailedFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def save_uploads(corpus: Path, uploads: Sequence[str | Path], overwrite: bool, max_bytes: int) -> Saved:
    """Save each acceptable upload into the corpus folder; refused ones come back with their reason."""
    result = Saved()
    corpus.mkdir(parents=True, exist_ok=True)
    for upload in uploads:
        original = Path(upload).name
        name = safe_filename(original)
        try:
            size = os.path.getsize(upload)
            if size > max_bytes:
                raise LoadError(size_reason(size, max_bytes))
            data = Path(upload).read_bytes()
            check_upload(name, data, max_bytes)
            target = free_path(corpus, name, data, overwrite)
            existed = target.exists()
            _write_atomic(target, data)
        except (LoadError, OSError) as exc:
            reason = str(exc) if isinstance(exc, LoadError) else f"could not be saved: {exc.strerror or exc}"
            result.rejected.append(FailedFile(original, reason))
            continue
        result.paths.append(target)
        if target.name != original:
            result.notes.append(f"{original} was saved as {target.name}")
        elif existed and overwrite:
            result.notes.append(f"{target.name} replaced the file of that name")
    return result


def _write_atomic(target: Path, data: bytes) -> None:
    # A hidden temporary name: a re-scan running meanwhile never sees a half-written file.
    handle, temp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def corpus_path(corpus: Path, doc_id: str) -> Path:
    """The file of an indexed document, refusing any doc_id that would lead outside the corpus."""
    root = corpus.resolve()
    path = corpus / doc_id
    if ".." in Path(doc_id).parts or Path(doc_id).is_absolute():
        raise LoadError(f"{doc_id} is not a file of the corpus")
    try:
        path.parent.resolve().relative_to(root)
    except ValueError:
        raise LoadError(f"{doc_id} is not a file of the corpus") from None
    return path


def delete_document(ctx: AppContext, doc_id: str, progress: Progress | None = None) -> IngestReport:
    """Remove the file from the corpus folder, then re-index that path so it leaves the index."""
    path = corpus_path(ctx.config.corpus_dir, doc_id)
    path.unlink(missing_ok=True)
    sidecar_path(path).unlink(missing_ok=True)  # a document added by address: its record goes with it
    return index(ctx, [path], progress)


def index(ctx: AppContext, paths: Sequence[Path] = (), progress: Progress | None = None) -> IngestReport:
    """An incremental ingest of the given paths (none: the whole corpus), waiting for a running one."""
    return run_ingest(ctx.config, ctx.store, ctx.embedder, list(paths), progress=progress, wait=INGEST_WAIT_SECONDS)


def friendly(exc: Exception) -> str:
    """The message a person sees; an unexpected error also goes to the server log with its traceback."""
    if isinstance(exc, ClusterQAError):
        return str(exc)
    log.error("unexpected error in the Documents tab", exc_info=exc)
    return f"unexpected error: {exc}"
