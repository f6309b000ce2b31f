"""The same ingest against a real `chroma run` server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.indexer import run_ingest
from tests.support.chroma_server import chroma_server
from tests.support.cli import clusterqa_env, run_cli

REPO = Path(__file__).resolve().parents[2]


def test_ingest_reindex_and_sources_against_a_chroma_server(make_context, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nTwenty clusters in ten countries.\n", "utf-8")
    (corpus / "b.md").write_text("# B\n\nSaraburi is the 21st member.\n", "utf-8")
    with chroma_server(tmp_path / "server-data") as port:
        ctx = make_context(corpus, tmp_path / "local-index", chroma_host="127.0.0.1", chroma_port=port)
        report = run_ingest(ctx.config, ctx.store, ctx.embedder)
        assert (report.added, report.chunks) == (2, 2)
        assert not (tmp_path / "local-index" / "chroma").exists(), "server mode must not open an embedded store"

        (corpus / "b.md").write_text("# B\n\nSaraburi, Thailand, is the 21st member.\n", "utf-8")
        (corpus / "a.md").unlink()
        report = run_ingest(ctx.config, ctx.store, ctx.embedder)
        assert (report.updated, report.removed, report.embedded, report.chunks) == (1, 1, 1, 1)

        # Another process (the CLI) sees the same index through the server.
        env = clusterqa_env(
            corpus, tmp_path / "other-index", CLUSTERQA_CHROMA_HOST="127.0.0.1", CLUSTERQA_CHROMA_PORT=str(port)
        )
        result = run_cli("sources", "--json", env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert [row["doc_id"] for row in json.loads(result.stdout)] == ["b.md"]
        result = run_cli("ingest", "--json", env=env, cwd=REPO)
        assert json.loads(result.stdout)["unchanged"] == 1
