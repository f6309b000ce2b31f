"""Test set validation, and the shipped test set's coverage."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from rag.eval.testset import TYPES, TestsetError, load_testset
from tests.conftest import CORPUS

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "testset.jsonl"
GOOD = {
    "id": "q1",
    "question": "When?",
    "reference_answer": "Then.",
    "expected_sources": ["a.md"],
    "answerable": True,
    "type": "fact",
}


def write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "line 2: not valid JSON"),
        ({**GOOD, "id": "q2", "colour": "red"}, "line 2: unknown field(s) colour"),
        ({k: v for k, v in GOOD.items() if k != "question"} | {"id": "q2"}, "line 2: missing field 'question'"),
        ({**GOOD, "id": "q2", "type": "trivia"}, "line 2: type 'trivia' is not one of"),
        ({**GOOD, "id": "q2", "answerable": "yes"}, "line 2: field 'answerable' must be bool"),
        ({**GOOD, "id": "q2", "type": "unanswerable"}, "line 2: answerable must be false exactly"),
        ({**GOOD, "id": "q2", "history": [{"role": "bot", "content": "x"}]}, "line 2: each history turn"),
        ({**GOOD}, "line 2: duplicate id 'q1'"),
    ],
)
def test_malformed_lines_get_their_line_number_and_reason(tmp_path: Path, bad: object, reason: str) -> None:
    with pytest.raises(TestsetError, match=re.escape(reason)):
        load_testset(write(tmp_path, GOOD, bad))


def test_the_shipped_test_set_covers_every_type_and_the_corpus() -> None:
    questions = load_testset(SHIPPED)
    assert len(questions) >= 40
    types = Counter(q.type for q in questions)
    assert set(types) == set(TYPES)
    assert types["unanswerable"] >= 8
    documents = {p.name for p in CORPUS.iterdir()}
    for q in questions:
        assert set(q.expected_sources) <= documents, q.id
        assert q.answerable == bool(q.expected_sources) == bool(q.key_facts), q.id
        assert (q.type == "follow-up") == bool(q.history), q.id
