"""50 questions through the public `/ask` API of a real `clusterqa serve` while another process re-indexes."""

from __future__ import annotations

import queue
import random
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ingest.indexer import run_ingest
from rag.config import AppConfig
from rag.index.embedder import Embedder
from rag.index.store import Store
from tests.support.cli import clusterqa_env
from tests.support.consistency import assert_consistent, fresh_store
from tests.support.files import CLUSTERS, TOPICS, mutate_corpus, write_varied_corpus
from tests.support.ports import free_port, stop, wait_until_up

gradio_client = pytest.importorskip("gradio_client")

REPO = Path(__file__).resolve().parents[2]
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
NEW_DOC = "quelmar.md"
NEW_FACT = "The Quelmar cluster appointed Ilsa Voren as its ammonia coordinator in May 2025."
QUESTIONS = 50
THREADS = 10


def check_answer(answer: dict[str, Any]) -> None:
    assert {"question", "answer", "abstained", "citations", "nearest"} <= set(answer), answer
    assert isinstance(answer["abstained"], bool)
    assert answer["answer"].strip()
    numbers = {c["n"] for c in answer["citations"]}
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers <= numbers, f"markers {markers} without citations {numbers}: {answer['answer']}"
    assert answer["abstained"] or answer["citations"]
    for citation in answer["citations"]:
        assert citation["chunk_id"] and citation["text"] and citation["doc_id"], citation


def test_fifty_questions_while_another_process_reindexes(tmp_path: Path, embedder: Embedder) -> None:
    rng = random.Random(50)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_varied_corpus(corpus, 12, paragraphs=3)
    config = AppConfig(corpus_dir=corpus, index_dir=index)
    run_ingest(config, Store(config, embedder), embedder)
    before = fresh_store(config, embedder).chunk_ids()

    env = clusterqa_env(corpus, index, **OFFLINE)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(url, server)
        local = threading.local()

        def ask(question: str, **filters: Any) -> tuple[float, float, dict[str, Any]]:
            if not hasattr(local, "client"):
                local.client = gradio_client.Client(url, verbose=False)
            started = time.monotonic()
            answer = local.client.predict(
                question,
                filters.get("since", ""),
                filters.get("until", ""),
                filters.get("doc_ids", []),
                api_name="/ask",
            )
            return started, time.monotonic(), answer

        ask("warm up: which clusters work on hydrogen?")  # the server loads its model on the first question

        # The re-index: 3 documents changed, 3 removed, 1 renamed, 3 added, one with a fact found nowhere else.
        changed = mutate_corpus(corpus, rng, version=1, changes=3)["modified"]
        (corpus / NEW_DOC).write_text(f"# Quelmar appointment\n\n{NEW_FACT}\n", encoding="utf-8")
        ingest = subprocess.Popen(
            [sys.executable, "-m", "tests.support.traced_cli", "ingest"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        events: queue.Queue[tuple[float, str]] = queue.Queue()

        def pump() -> None:
            assert ingest.stderr is not None
            for line in ingest.stderr:
                events.put((time.monotonic(), line.strip()))
            ingest.wait()
            events.put((time.monotonic(), "exited"))

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        seen: list[tuple[float, str]] = []

        def wait_for(event: str) -> float:
            while True:
                seen.append(events.get(timeout=120))
                if seen[-1][1] in (event, "exited"):
                    return seen[-1][0]

        questions: list[tuple[str, dict[str, Any]]] = [
            (f"How many workers were trained in the {rng.choice(CLUSTERS)} cluster for {rng.choice(TOPICS)}?", {})
            for _ in range(QUESTIONS - 15)
        ]
        questions += [("Who is the ammonia coordinator of the Quelmar cluster?", {})] * 5
        # Filtered: the filter matches chunks the ingest writes, which the server's vectors lack at first.
        questions += [(f"What progress did {changed[0]} report?", {"doc_ids": [changed[0], NEW_DOC]})] * 10
        rng.shuffle(questions)
        half = len(questions) // 2
        # Half the questions from the moment the ingest marks the index dirty (it then loads its model and
        # embeds), the other half from its first chunk write, through the writes and the commit.
        with ThreadPoolExecutor(THREADS) as early, ThreadPoolExecutor(THREADS) as late:
            dirty_at = wait_for("store mark_dirty")
            futures = [early.submit(ask, q, **filters) for q, filters in questions[:half]]
            writing_at = wait_for("store add_chunks")
            futures += [late.submit(ask, q, **filters) for q, filters in questions[half:]]
            results = [f.result(timeout=300) for f in futures]
        reader.join(timeout=300)
        seen += [events.get_nowait() for _ in range(events.qsize())]
        ingest_done = next(at for at, line in seen if line == "exited")
        assert dirty_at < writing_at < ingest_done, seen
        assert ingest.stdout is not None
        assert ingest.returncode == 0, ingest.stdout.read()

        after_store = fresh_store(config, embedder)
        after = after_store.chunk_ids()
        assert_consistent(after_store, corpus)
        assert before - after and after - before, "the re-index must both remove and add chunks"

        # A reader sees Chroma between two states of one pass: the pass writes only chunks of the final
        # state (new versions, renamed copies) and deletes only chunks of the initial one, so every chunk
        # that existed at any moment is in `before` or in `after`. A citation is a passage read from
        # Chroma when the question was answered, so it must be in one of the two snapshots: anything
        # else would be a chunk invented, half-written or from another index.
        for _, _, answer in results:
            check_answer(answer)
            cited = {c["chunk_id"] for c in answer["citations"]}
            assert cited <= before | after, f"citations of chunks that never existed: {cited - before - after}"
        while_writing = [r for r in results if writing_at <= r[0] < ingest_done]
        assert len(while_writing) >= THREADS, "too few questions were asked while the chunks were being written"

        # The server picked up the new generation: the new fact is found and cited from the new chunks...
        _, _, answer = ask("Who is the ammonia coordinator of the Quelmar cluster?")
        check_answer(answer)
        assert "Ilsa Voren" in answer["answer"], answer["answer"]
        assert {c["chunk_id"] for c in answer["citations"]} <= after
        assert NEW_DOC in {c["doc_id"] for c in answer["citations"]}
        # ...and by the vector search too: words that are in no document, BM25 finds nothing, so only
        # the server's vectors can bring up the new document's passage.
        _, _, answer = ask("Xyzzq plugh frobnicate?", doc_ids=[NEW_DOC])
        check_answer(answer)
        shown = {c["doc_id"] for c in answer["citations"]} | {p["doc_id"] for p in answer["nearest"]}
        assert shown == {NEW_DOC}, answer
    finally:
        stop(server)
        log.seek(0)
        output = log.read()
        log.close()
    assert "Traceback" not in output, output
