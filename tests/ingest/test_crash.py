"""Crash safety and concurrency of ingestion: failures at every write, real SIGKILLs, two ingests at once,
a read-only index and a full disk. After each, the next ingest must leave a consistent index."""

from __future__ import annotations

import contextlib
import os
import queue
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ingest.indexer import run_ingest
from rag.config import AppConfig
from rag.index.embedder import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.store import DIRTY, Store
from tests.support.cli import clusterqa_env, run_cli
from tests.support.consistency import assert_consistent, assert_crash_state, fresh_store
from tests.support.files import mutate_corpus, write_varied_corpus
from ui.cli import EXIT_BUSY, EXIT_ERROR

REPO = Path(__file__).resolve().parents[2]
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


class Crash(Exception):
    """Stands for the process dying at a write."""


def ingest(ctx: Any) -> Any:
    return run_ingest(ctx.config, ctx.store, ctx.embedder)


@contextlib.contextmanager
def failing(step: str, nth: int, after: bool) -> Iterator[list[int]]:
    """The nth call of a store write (or the BM25 save) raises Crash, before or after doing its work."""
    owner: Any = LexicalIndex if step == "save" else Store
    original = getattr(owner, step)
    calls = [0]

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == nth and not after:
            raise Crash(f"{step} #{nth}")
        result = original(*args, **kwargs)
        if calls[0] == nth:
            raise Crash(f"after {step} #{nth}")
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, step, broken)
        yield calls


# The failing pass below modifies 2 documents, adds 2, deletes 2 and renames 1. Its writes, in order:
# reconcile (delete_documents #1, delete_chunks #1, both empty), mark_dirty, copy_chunks + put_document #1
# (the rename), then per new version add_chunks, put_document, and for updates delete_chunks of the old
# version; then per removed document delete_documents and delete_chunks; commit_generation (BM25 save).
FAILPOINTS = [
    ("mark_dirty", 1, False),  # nothing written yet
    ("copy_chunks", 1, True),  # the renamed file's chunks copied, its manifest entry not written
    ("add_chunks", 2, False),
    ("add_chunks", 1, True),  # a new version's chunks written, its manifest entry not
    ("put_document", 3, True),  # the manifest names the new version, the old one's chunks remain
    ("delete_chunks", 3, True),
    ("delete_documents", 2, True),  # a removed file's entry gone, its chunks remain
    ("save", 1, True),  # the new BM25 index saved, its generation not published
    ("commit_generation", 1, True),  # everything done: the failure comes after
]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, Path]:
    """A small corpus and its index, built once; each test works on a copy."""
    root = tmp_path_factory.mktemp("indexed")
    write_varied_corpus(root / "corpus", 6, paragraphs=2)
    config = AppConfig(corpus_dir=root / "corpus", index_dir=root / "index")
    run_ingest(config, Store(config, embedder), embedder)
    return root / "corpus", root / "index"


def copy_of(indexed: tuple[Path, Path], tmp_path: Path) -> Path:
    shutil.copytree(indexed[0], tmp_path / "corpus")
    shutil.copytree(indexed[1], tmp_path / "index")
    return tmp_path / "corpus"


@pytest.mark.parametrize(("step", "nth", "after"), FAILPOINTS, ids=[f"{s}{n}{'+' * a}" for s, n, a in FAILPOINTS])
def test_a_pass_failing_at_any_write_is_repaired_by_the_next(
    make_context: Callable[..., Any], indexed: tuple[Path, Path], tmp_path: Path, step: str, nth: int, after: bool
) -> None:
    corpus = copy_of(indexed, tmp_path)
    ctx = make_context(corpus)
    committed = ctx.store.generation()
    mutate_corpus(corpus, random.Random(nth), version=1)

    with failing(step, nth, after) as calls, pytest.raises(Crash):
        ingest(ctx)
    assert calls[0] == nth
    # Readers meanwhile: the manifest never names missing chunks, and the index says it is mid-change
    # unless nothing was written yet or the commit went through.
    assert_crash_state(ctx.store)
    generation = ctx.store.generation()
    before_any_write = step == "mark_dirty" and not after
    assert generation.startswith(DIRTY) == (not before_any_write and step != "commit_generation")
    assert (generation == committed) == before_any_write

    report = ingest(ctx)  # the same process carries on, as `serve` and `ingest --watch` do
    assert report.failed == []
    assert_consistent(ctx.store, corpus)
    report = ingest(ctx)
    assert (report.added, report.updated, report.removed, report.embedded) == (0, 0, 0, 0)


def test_a_failed_repair_is_repaired_too(
    make_context: Callable[..., Any], indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    """The pass after a crash crashes while deleting the orphans; a third pass still ends consistent."""
    corpus = copy_of(indexed, tmp_path)
    ctx = make_context(corpus)
    mutate_corpus(corpus, random.Random(1), version=1)
    with failing("put_document", 3, after=False), pytest.raises(Crash):
        ingest(ctx)
    orphans = ctx.store.chunk_ids() - {i for d in ctx.store.documents().values() for i in d.chunk_ids()}
    assert orphans  # new chunks written, their manifest entry not
    with failing("delete_chunks", 1, after=False), pytest.raises(Crash):
        ingest(ctx)
    assert_crash_state(ctx.store)
    ingest(make_context(corpus))  # and as a new process would: a fresh Store
    assert_consistent(ctx.store, corpus)


# --- real processes, really killed --------------------------------------------------------------


@dataclass
class Outcome:
    plan: str
    returncode: int | None = None
    events: list[str] = field(default_factory=list)

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


def ingest_and_kill(env: dict[str, str], plan: tuple[str, Any, int, float]) -> Outcome:
    """Run a traced `clusterqa ingest`; SIGKILL it after `delay` seconds, or `jitter` seconds into its
    nth write of a kind (the tracer announces each write just before it starts)."""
    kind, step, nth, seconds = plan
    outcome = Outcome(f"{kind} {step} #{nth} +{seconds:.3f}s" if kind == "event" else f"after {seconds:.2f}s")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.traced_cli", "ingest"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    if kind == "time":
        time.sleep(seconds)
    else:
        seen = 0
        while time.monotonic() < deadline:
            line = lines.get(timeout=120)
            if line is None:
                break
            outcome.events.append(line)
            if line == f"store {step}":
                seen += 1
                if seen == nth:
                    time.sleep(seconds)
                    break
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGKILL)
    outcome.returncode = process.wait(timeout=60)
    reader.join(timeout=10)
    while not lines.empty():
        line = lines.get()
        if line is not None:
            outcome.events.append(line)
    if not outcome.killed:  # it finished first: then it must have finished well
        assert outcome.returncode == 0, "\n".join(outcome.events)
    return outcome


def test_sigkill_at_random_points_then_the_next_ingest_repairs(tmp_path: Path, embedder: Embedder) -> None:
    rng = random.Random(20261129)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_varied_corpus(corpus, 24, paragraphs=3)
    env = clusterqa_env(corpus, index, **OFFLINE)
    config = AppConfig(corpus_dir=corpus, index_dir=index)
    jitter = lambda: rng.uniform(0, 0.02)  # noqa: E731 - often lands inside the Chroma call itself
    plans: list[tuple[str, Any, int, float]] = [
        ("time", None, 0, rng.uniform(0.3, 1.5)),  # starting up, settings written, maybe marked dirty
        ("event", "put_document", rng.randint(3, 20), jitter()),  # the first pass, half written
        ("time", None, 0, rng.uniform(2.5, 5.0)),  # loading the model or embedding
        ("event", "delete_chunks", rng.randint(2, 5), jitter()),  # deleting orphans or old versions
        ("event", "add_chunks", rng.randint(1, 6), jitter()),
        ("event", "delete_documents", rng.randint(1, 2), jitter()),  # repairing the manifest, or removing
        ("event", "bm25_save", 1, rng.uniform(0, 0.05)),  # committing: the BM25 index being swapped in
        ("event", "mark_dirty", 1, jitter()),
    ]
    outcomes = []
    for number, plan in enumerate(plans):
        if number:
            mutate_corpus(corpus, rng, version=number)  # updates and deletes are in flight too
        outcome = ingest_and_kill(env, plan)
        outcomes.append(outcome)
        assert_crash_state(fresh_store(config, embedder))
        if number in (3, len(plans) - 1):
            result = run_cli("ingest", env=env, cwd=REPO)
            assert result.returncode == 0, result.stdout + result.stderr
            assert_consistent(fresh_store(config, embedder), corpus)

    summary = "\n".join(f"{o.plan}: rc {o.returncode}, {len(o.events)} events" for o in outcomes)
    assert sum(o.killed for o in outcomes) >= 6, summary
    writes = [sum(e.startswith("store ") for e in o.events) for o in outcomes if o.killed]
    assert any(n == 0 for n in writes) and sum(n > 3 for n in writes) >= 3, summary


# --- two ingests at once --------------------------------------------------------------------------


def test_two_ingests_at_once_one_indexes_the_other_refuses(tmp_path: Path, embedder: Embedder) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_varied_corpus(corpus, 12, paragraphs=2)
    env = clusterqa_env(corpus, index, **OFFLINE)
    command = [sys.executable, "-m", "ui.cli", "ingest"]
    processes = [
        subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.communicate(timeout=300), p.returncode) for p in processes]
    codes = sorted(code for _, code in results)
    assert codes == [0, EXIT_BUSY], results
    (won_out, _), _ = next(r for r in results if r[1] == 0)
    (busy_out, busy_err), _ = next(r for r in results if r[1] == EXIT_BUSY)
    assert "12 added" in won_out
    assert busy_out == ""
    assert busy_err.strip().splitlines() == [
        f"clusterqa: error: another ingest is running on {index}; wait for it to finish and try again"
    ]
    assert_consistent(fresh_store(AppConfig(corpus_dir=corpus, index_dir=index), embedder), corpus)


# --- a read-only index, a full disk ------------------------------------------------------------


def can_mount() -> bool:
    if os.geteuid() != 0:
        return False
    probe = Path(f"/tmp/clusterqa-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True)
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    except OSError:
        return False
    finally:
        probe.rmdir()


MOUNTABLE = can_mount()


@contextlib.contextmanager
def tmpfs(path: Path, megabytes: int) -> Iterator[Path]:
    path.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == EXIT_ERROR, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clusterqa: error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert all(word.lower() in lines[0].lower() for word in words), lines[0]


def test_an_index_that_cannot_be_written_is_a_clear_error_and_nothing_breaks(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = tmp_path / "corpus"
    write_varied_corpus(corpus, 6, paragraphs=2)
    # The index folder is a regular file: it cannot be created, whoever runs the command (root too).
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = run_cli("ingest", env=clusterqa_env(corpus, tmp_path / "file", **OFFLINE), cwd=REPO)
    assert_one_line_error(result, str(tmp_path / "file"), "not a folder")

    index = tmp_path / "ro" / "index"
    env = clusterqa_env(corpus, index, **OFFLINE)

    def chmod_folders(mode: int) -> None:
        for folder in (tmp_path / "ro", *(tmp_path / "ro").rglob("*")):
            if folder.is_dir():
                folder.chmod(mode)

    with contextlib.ExitStack() as stack:
        if MOUNTABLE:  # a read-only file system stops root as well
            stack.enter_context(tmpfs(tmp_path / "ro", 16))
            make_read_only = lambda: remount(tmp_path / "ro", "ro")  # noqa: E731
            make_writable = lambda: remount(tmp_path / "ro", "rw")  # noqa: E731
        elif os.geteuid() != 0:
            (tmp_path / "ro").mkdir()
            make_read_only = lambda: chmod_folders(0o555)  # noqa: E731
            make_writable = lambda: chmod_folders(0o755)  # noqa: E731
        else:
            pytest.skip("root without mount: no way to make a folder read-only")
        assert run_cli("ingest", env=env, cwd=REPO).returncode == 0
        write_varied_corpus(corpus, 9, seed=1, paragraphs=2)  # 6 changed, 3 new
        make_read_only()
        try:
            result = run_cli("ingest", env=env, cwd=REPO)
        finally:
            make_writable()
        assert_one_line_error(result, str(index), "read-only" if MOUNTABLE else "permission denied")
        result = run_cli("ingest", env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert "3 added, 6 updated" in result.stdout
        assert_consistent(fresh_store(AppConfig(corpus_dir=corpus, index_dir=index), embedder), corpus)


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_is_a_clear_error_and_the_next_ingest_repairs(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    write_varied_corpus(corpus, 8, paragraphs=3)
    with contextlib.ExitStack() as stack:
        if MOUNTABLE:  # a real small file system, filled up
            disk = stack.enter_context(tmpfs(tmp_path / "disk", 24))
        else:
            disk = tmp_path / "disk"
            disk.mkdir()
        index = disk / "index"
        env = clusterqa_env(corpus, index, **OFFLINE)
        assert run_cli("ingest", env=env, cwd=REPO).returncode == 0
        write_varied_corpus(corpus, 16, seed=2, paragraphs=6)  # more to write than there is room for
        filler = disk / "filler"
        if MOUNTABLE:
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            with filler.open("wb") as out:
                out.truncate(0)
                out.write(b"\0" * max(0, free - 64 * 1024))  # 64 KiB left
            preexec = None
        else:
            largest = max(p.stat().st_size for p in index.rglob("*") if p.is_file())
            preexec = _file_size_limit(largest + 64 * 1024)
        result = subprocess.run(
            [sys.executable, "-m", "ui.cli", "ingest"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=preexec,
        )
        assert_one_line_error(result)
        assert any(w in result.stderr for w in ("no space left", "File too large")), result.stderr
        filler.unlink(missing_ok=True)

        result = run_cli("ingest", env=env, cwd=REPO)
        assert result.returncode == 0, result.stdout + result.stderr
        assert_consistent(fresh_store(AppConfig(corpus_dir=corpus, index_dir=index), embedder), corpus)
