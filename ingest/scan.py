"""Find the files of a pass: the corpus folder, or given paths inside it; never outside it."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.sidecar import is_sidecar
from rag.errors import ConfigError
from rag.types import FailedFile

SKIPPED_DIRS = {"__pycache__", "node_modules"}


@dataclass(frozen=True)
class Candidate:
    path: Path
    doc_id: str


@dataclass
class Scan:
    candidates: list[Candidate] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)  # doc_id prefixes this pass owns ("" = all)

    def owns(self, doc_id: str) -> bool:
        return any(doc_id == s or s == "" or doc_id.startswith(s + "/") for s in self.scopes)


def is_hidden(name: str) -> bool:
    """Dot files and Office lock files are not documents."""
    return name.startswith((".", "~$"))


def scan(corpus: Path, paths: Sequence[Path] = ()) -> Scan:
    if not corpus.is_dir():
        raise ConfigError(f"the corpus folder {corpus} does not exist (set CLUSTERQA_CORPUS_DIR or --corpus)")
    root = corpus.absolute()
    real_root = root.resolve()
    result = Scan()
    for given in paths or [root]:
        target = Path(os.path.abspath(given))
        relative = _relative(target, root, real_root)
        result.scopes.append("" if relative == "." else relative)
        # The corpus folder itself may be a link (a mounted share): it is walked like the folder it leads to.
        if target.is_dir() and (not target.is_symlink() or target == root):
            _walk(target, root, real_root, result)
        elif target.exists() or target.is_symlink():
            _add_file(target, relative, real_root, result)
    return result


def _relative(target: Path, root: Path, real_root: Path) -> str:
    for base in (root, real_root):
        try:
            return target.relative_to(base).as_posix()
        except ValueError:
            continue
    try:
        return target.resolve().relative_to(real_root).as_posix()
    except ValueError:
        raise ConfigError(
            f"{target} is outside the corpus folder {root}; copy it into the corpus or use --corpus"
        ) from None


def _walk(folder: Path, root: Path, real_root: Path, result: Scan) -> None:
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d) and d not in SKIPPED_DIRS)
        for name in dirs:
            path = Path(current) / name
            # A linked folder inside the corpus is indexed where it really is; one leading out is reported.
            reason = _link_problem(path, real_root) if path.is_symlink() else None
            if reason is not None:
                result.failed.append(FailedFile(_display(path.relative_to(root).as_posix()), reason))
        for name in sorted(files):
            if not is_hidden(name) and not is_sidecar(name):
                path = Path(current) / name
                _add_file(path, path.relative_to(root).as_posix(), real_root, result)


def _add_file(path: Path, doc_id: str, real_root: Path, result: Scan) -> None:
    reason = _link_problem(path, real_root) if path.is_symlink() else None
    if reason is None and _display(doc_id) != doc_id:
        reason = "the file name is not valid UTF-8 (it was made on a system with another encoding); rename the file"
    if reason is not None:
        result.failed.append(FailedFile(_display(doc_id), reason))
        return
    result.candidates.append(Candidate(path, doc_id))


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why a symbolic link is not followed, or None when it leads to something inside the corpus."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return "a symbolic link that loops back on itself; not followed"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops back on itself; not followed"
        return "a symbolic link pointing nowhere (its target does not exist); not followed"
    try:
        target.relative_to(real_root)
    except ValueError:
        return "a symbolic link pointing outside the corpus folder; not followed"
    return None


def _display(name: str) -> str:
    """A name that prints and stores as UTF-8: bytes that are not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
