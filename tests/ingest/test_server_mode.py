"""The same ingest and answering against a real `chroma run` server on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings

from ingest.indexer import run_ingest
from rag.errors import StoreError
from rag.index.tokenize import terms
from tests.support.chroma_server import chroma_server
from tests.support.cli import clusterqa_env, run_cli
from tests.support.ports import free_port

REPO = Path(__file__).resolve().parents[2]
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def server_env(corpus: Path, index: Path, port: int, **extra: str) -> dict[str, str]:
    return clusterqa_env(
        corpus, index, CLUSTERQA_CHROMA_HOST="127.0.0.1", CLUSTERQA_CHROMA_PORT=str(port), **OFFLINE, **extra
    )


def admin(port: int) -> Any:
    return chromadb.AdminClient(
        Settings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host="127.0.0.1",
            chroma_server_http_port=port,
            anonymized_telemetry=False,
        )
    )


def tenant_client(port: int, tenant: str, database: str) -> Any:
    return chromadb.HttpClient(
        host="127.0.0.1", port=port, tenant=tenant, database=database, settings=Settings(anonymized_telemetry=False)
    )


def test_ingest_reindex_ask_and_sources_against_a_chroma_server(make_context, tmp_path: Path) -> None:
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

        # Other processes (the CLI, with an empty local index folder) see the same index through the server.
        env = server_env(corpus, tmp_path / "other-index", port)
        result = run_cli("sources", "--json", env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert [row["doc_id"] for row in json.loads(result.stdout)] == ["b.md"]
        result = run_cli("ask", "--json", "Where is Saraburi?", env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        assert not answer["abstained"] and "Thailand" in answer["answer"], answer
        assert {c["doc_id"] for c in answer["citations"]} == {"b.md"}
        result = run_cli("ingest", "--json", env=env, cwd=REPO)
        assert json.loads(result.stdout)["unchanged"] == 1
        assert not (tmp_path / "other-index" / "chroma").exists()


def test_two_stores_on_one_server_see_each_others_ingests_and_rebuilds(make_context, tmp_path: Path) -> None:
    """A long-running reader (its own local BM25 cache) follows the generation an ingest elsewhere publishes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "zorblax.md"
    doc.write_text("# Zorblax\n\nThe Zorblax cluster appointed Mira Tandoh as its hydrogen coordinator.\n", "utf-8")
    question = "Who is the hydrogen coordinator of the Zorblax cluster?"
    with chroma_server(tmp_path / "server-data") as port:
        writer = make_context(corpus, tmp_path / "index-writer", chroma_host="127.0.0.1", chroma_port=port)
        reader = make_context(corpus, tmp_path / "index-reader", chroma_host="127.0.0.1", chroma_port=port)
        run_ingest(writer.config, writer.store, writer.embedder)
        assistant = reader.assistant
        assert "Mira Tandoh" in assistant.answer(question).text
        first = reader.store.lexical()
        (tandoh,) = terms("Tandoh")
        (okafor,) = terms("Okafor")
        assert tandoh in first.doc_freq and okafor not in first.doc_freq

        doc.write_text(
            "# Zorblax\n\nThe Zorblax cluster appointed Idris Okafor as its hydrogen coordinator.\n", "utf-8"
        )
        assert run_ingest(writer.config, writer.store, writer.embedder).updated == 1
        answer = assistant.answer(question)
        assert "Idris Okafor" in answer.text and "Mira Tandoh" not in answer.text, answer.text
        second = reader.store.lexical()
        assert second.stamp == writer.store.generation() != first.stamp
        assert okafor in second.doc_freq and tandoh not in second.doc_freq

        # --rebuild elsewhere drops and re-creates both collections under new ids: the reader must follow.
        assert run_ingest(writer.config, writer.store, writer.embedder, rebuild=True).added == 1
        assert "Idris Okafor" in assistant.answer(question).text
        assert list(reader.store.documents()) == ["zorblax.md"]
        assert reader.store.lexical().stamp == writer.store.generation() != second.stamp


def test_a_tenant_and_database_of_our_own(make_context, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nThe Quelmar cluster captures 4 million tonnes of CO2 a year.\n", "utf-8")
    with chroma_server(tmp_path / "server-data") as port:
        admin(port).create_tenant("team-energy")
        admin(port).create_database("cluster-reports", tenant="team-energy")
        server = {"chroma_host": "127.0.0.1", "chroma_port": port}
        ours = make_context(
            corpus, tmp_path / "i1", chroma_tenant="team-energy", chroma_database="cluster-reports", **server
        )
        assert run_ingest(ours.config, ours.store, ours.embedder).added == 1
        answer = ours.assistant.answer("How much CO2 does Quelmar capture?")
        assert "4 million tonnes" in answer.text
        # The same collection name in the default tenant and database is another, empty, index.
        default = make_context(corpus, tmp_path / "i2", **server)
        assert default.store.documents() == {} and default.store.count() == 0
        names = {c.name for c in tenant_client(port, "team-energy", "cluster-reports").list_collections()}
        assert names == {"clusterqa", "clusterqa-manifest"}

        for tenant, database, missing in [
            ("team-water", "cluster-reports", "'team-water'"),
            ("team-energy", "cluster-minutes", "'cluster-minutes'"),
        ]:
            ctx = make_context(corpus, tmp_path / "i3", chroma_tenant=tenant, chroma_database=database, **server)
            with pytest.raises(StoreError) as caught:
                run_ingest(ctx.config, ctx.store, ctx.embedder)
            message = str(caught.value)
            assert missing in message and "does not exist" in message and f"127.0.0.1:{port}" in message, message

        # The CLI: exit code 2 and that message, no traceback.
        env = server_env(corpus, tmp_path / "i4", port, CLUSTERQA_CHROMA_TENANT="team-water")
        result = run_cli("sources", env=env, cwd=REPO)
        assert result.returncode == 2, result.stderr
        assert "clusterqa: error:" in result.stderr and "'team-water'" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_chroma_server_that_is_not_running_is_a_clear_error(make_context, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nText.\n", "utf-8")
    port = free_port()  # nothing listens there
    ctx = make_context(corpus, tmp_path / "index", chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(StoreError, match=f"Chroma server at 127.0.0.1:{port}"):
        run_ingest(ctx.config, ctx.store, ctx.embedder)

    # A server that stops while a long-running process uses it: the same kind of error, naming it.
    with chroma_server(tmp_path / "server-data") as stopping:
        running = make_context(corpus, tmp_path / "index-2", chroma_host="127.0.0.1", chroma_port=stopping)
        assert running.store.documents() == {}
    with pytest.raises(StoreError, match=f"cannot use the Chroma server at 127.0.0.1:{stopping}"):
        running.store.documents()

    env = server_env(corpus, tmp_path / "index", port)
    for args in (("ask", "--json", "Anything?"), ("ingest",)):
        result = run_cli(*args, env=env, cwd=REPO)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert f"clusterqa: error: cannot open the Chroma server at 127.0.0.1:{port}" in result.stderr
        assert "running" in result.stderr and "Traceback" not in result.stderr, result.stderr
