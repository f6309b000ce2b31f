"""Incremental re-indexing against a real Chroma: only what changed is embedded."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from ingest import indexer
from ingest.chunker import chunk_document
from ingest.indexer import run_ingest
from ingest.loaders import parse_bytes
from rag.app import AppContext
from rag.errors import IndexBusyError, IndexMismatchError
from rag.types import Filters
from tests.support.consistency import assert_consistent
from tests.support.files import write_pdf
from tests.support.report_pdf import write_report_pdf

TEXT = "The {name} cluster joined the initiative. It works on hydrogen, carbon capture and {topic}."


def write(corpus: Path, name: str, topic: str = "steel") -> Path:
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {name}\n\n" + TEXT.format(name=name, topic=topic), encoding="utf-8")
    return path


def ingest(ctx: AppContext, *paths: Path, rebuild: bool = False):
    return run_ingest(ctx.config, ctx.store, ctx.embedder, list(paths), rebuild)


def consistent(ctx: AppContext) -> set[str]:
    """Chroma, manifest and BM25 agree (tests/support/consistency.py); returns the indexed doc_ids."""
    return set(assert_consistent(ctx.store))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    for name in ("a.md", "b.md", "sub/c.md"):
        write(folder, name)
    return folder


def test_add_modify_delete_rename_and_no_change(make_context, corpus: Path) -> None:
    ctx = make_context(corpus)
    report = ingest(ctx)
    assert (report.added, report.updated, report.removed, report.unchanged) == (3, 0, 0, 0)
    assert report.embedded == report.chunks == 3
    assert consistent(ctx) == {"a.md", "b.md", "sub/c.md"}

    report = ingest(ctx)
    assert (report.added, report.unchanged, report.embedded) == (0, 3, 0)

    write(corpus, "b.md", topic="cement")
    write(corpus, "d.md")
    (corpus / "a.md").unlink()
    report = ingest(ctx)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert report.embedded == 2
    assert consistent(ctx) == {"b.md", "d.md", "sub/c.md"}
    texts = [p.text for p in ctx.store.passages(Filters(doc_ids=("b.md",)))]
    assert texts and all("cement" in t for t in texts)

    os.rename(corpus / "sub" / "c.md", corpus / "moved.md")
    report = ingest(ctx)
    assert (report.added, report.removed, report.embedded) == (1, 1, 0)
    assert consistent(ctx) == {"b.md", "d.md", "moved.md"}
    moved = list(ctx.store.passages(Filters(doc_ids=("moved.md",))))
    assert moved and moved[0].source.endswith("moved.md")


def test_ingest_given_paths_only_touches_them(make_context, corpus: Path) -> None:
    ctx = make_context(corpus)
    ingest(ctx)
    write(corpus, "a.md", topic="glass")
    (corpus / "b.md").unlink()
    report = ingest(ctx, corpus / "a.md")
    assert (report.updated, report.removed) == (1, 0)
    assert "b.md" in consistent(ctx)
    report = ingest(ctx, corpus / "sub")
    assert (report.unchanged, report.removed) == (1, 0)


def test_path_outside_the_corpus_is_refused(make_context, corpus: Path, tmp_path: Path) -> None:
    from rag.errors import ConfigError

    outside = write(tmp_path / "elsewhere", "x.md")
    with pytest.raises(ConfigError, match="outside the corpus"):
        ingest(make_context(corpus), outside)


def test_changed_chunk_settings_are_refused_until_rebuild(make_context, corpus: Path, tmp_path: Path) -> None:
    ingest(make_context(corpus))
    other = make_context(corpus, tmp_path / "index", chunk_tokens=120)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest(other)
    report = ingest(other, rebuild=True)
    assert report.added == 3
    assert consistent(other)


def test_bad_files_fail_with_reasons_and_the_rest_is_indexed(make_context, corpus: Path) -> None:
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7 nothing else")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / ".hidden.md").write_text("# hidden", encoding="utf-8")
    (corpus / "link.md").symlink_to("/etc/hostname")
    report = ingest(make_context(corpus))
    reasons = {f.source: f.error for f in report.failed}
    assert set(reasons) == {"empty.md", "broken.pdf", "image.txt", "table.xlsx", "link.md"}
    assert "empty" in reasons["empty.md"]
    assert "PNG" in reasons["image.txt"]
    assert "outside the corpus" in reasons["link.md"]
    assert report.added == 3


def test_a_corpus_folder_reached_through_a_symlink_is_read_like_the_folder(make_context, corpus: Path) -> None:
    """A corpus named by a link (a mounted share, a folder moved and linked back) is the folder it leads to:
    its files are indexed, and a later pass through the real path finds them all unchanged."""
    link = corpus.parent / "corpus-link"
    link.symlink_to(corpus, target_is_directory=True)
    index = corpus.parent / "index"
    report = ingest(make_context(link, index))
    assert not report.failed and report.added == 3
    again = ingest(make_context(corpus, index))
    assert (again.unchanged, again.removed) == (3, 0)


def test_a_file_that_breaks_leaves_the_index(make_context, corpus: Path) -> None:
    ctx = make_context(corpus)
    ingest(ctx)
    (corpus / "a.md").write_bytes(b"caf\xe9 broken")
    report = ingest(ctx)
    assert [f.source for f in report.failed] == ["a.md"]
    assert report.removed == 1
    assert "a.md" not in consistent(ctx)


def test_interrupted_pass_is_repaired(make_context, corpus: Path) -> None:
    ctx = make_context(corpus)
    ingest(ctx)
    # Simulate a crash after new chunks were written but before the manifest recorded them,
    # and one where the manifest entry survived its chunks.
    vectors = ctx.embedder.encode(["orphan"])
    from rag.types import Chunk

    orphan = Chunk("ghost.md#000000000000#0", "ghost.md", "orphan", None, None, 0, 6, 0, {})
    ctx.store.add_chunks([orphan], vectors)
    ctx.store.delete_chunks(ctx.store.documents()["b.md"].chunk_ids())
    report = ingest(ctx)
    assert report.added == 1  # b.md, whose chunks were lost, is indexed again
    assert consistent(ctx) == {"a.md", "b.md", "sub/c.md"}


def test_second_ingest_is_refused_while_one_runs(make_context, corpus: Path) -> None:
    from ingest.indexer import index_lock

    ctx = make_context(corpus)
    with index_lock(ctx.config), pytest.raises(IndexBusyError, match="another ingest"):
        ingest(ctx)


def test_shipped_corpus_indexes_without_failures(make_context, tmp_path: Path) -> None:
    from tests.conftest import CORPUS

    corpus = tmp_path / "shipped"
    shutil.copytree(CORPUS, corpus)
    ctx = make_context(corpus)
    report = ingest(ctx)
    assert report.failed == []
    docs = ctx.store.documents()
    formats = {d.format for d in docs.values()}
    assert {"pdf", "docx", "html", "markdown"} <= formats
    assert len(docs) >= 6
    assert len({d.date for d in docs.values() if d.date}) >= 6
    pages = {p.page for p in ctx.store.passages(Filters(formats=("pdf",)))}
    assert {1, 2, 3} <= pages
    sections = {p.section for p in ctx.store.passages(Filters(formats=("docx",)))}
    assert len(sections - {None}) >= 2


def test_worker_processes_parse_as_this_process_does(make_context, tmp_path: Path, monkeypatch) -> None:
    """Several PDFs are parsed in worker processes: same documents as parsing here, failures still reported."""
    corpus = tmp_path / "pdfs"
    corpus.mkdir()
    write_report_pdf(corpus / "report.pdf")
    write_pdf(corpus / "notes.pdf", ["The Saraburi cluster cut clinker use.", "Its second page."])
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\nnot a PDF body")
    parsed = []
    monkeypatch.setattr(indexer, "chunk_document", lambda doc, *args: parsed.append(doc) or chunk_document(doc, *args))
    submitted = []

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(args[2])
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(indexer, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(indexer, "PARALLEL_BYTES", 0)
    report = ingest(make_context(corpus))
    assert sorted(submitted) == ["broken.pdf", "notes.pdf", "report.pdf"]
    assert report.added == 2 and [f.source for f in report.failed] == ["broken.pdf"]
    assert "damaged" in report.failed[0].error
    assert {doc.doc_id for doc in parsed} == {"report.pdf", "notes.pdf"}
    for doc in parsed:
        path = corpus / doc.doc_id
        assert doc == parse_bytes(path.read_bytes(), path, doc.doc_id)
    # The same files parsed here (below the threshold) give the same index.
    monkeypatch.setattr(indexer, "PARALLEL_BYTES", 10**12)
    again = ingest(make_context(corpus, tmp_path / "here"))
    assert again.chunks == report.chunks and [f.error for f in again.failed] == [f.error for f in report.failed]
