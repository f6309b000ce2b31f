"""Evaluation test sets: JSON Lines, one question per line, validated with line numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import ClusterQAError

TYPES = ("fact", "number", "list", "temporal", "comparison", "follow-up", "unanswerable")
REQUIRED = {
    "id": str,
    "question": str,
    "reference_answer": str,
    "expected_sources": list,
    "answerable": bool,
    "type": str,
}
OPTIONAL = {"key_facts": list, "history": list}


class TestsetError(ClusterQAError):
    """A test set line is malformed; the message names the line and the reason."""

    __test__ = False  # a name pytest would otherwise try to collect


@dataclass(frozen=True)
class TestQuestion:
    __test__ = False
    id: str
    question: str
    reference_answer: str
    expected_sources: tuple[str, ...]
    answerable: bool
    type: str
    key_facts: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = field(default_factory=tuple)


def _check(record: Any, where: str) -> TestQuestion:
    if not isinstance(record, dict):
        raise TestsetError(f"{where}: expected a JSON object")
    unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise TestsetError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for name, kind in {**REQUIRED, **OPTIONAL}.items():
        if name not in record:
            if name in REQUIRED:
                raise TestsetError(f"{where}: missing field {name!r}")
            continue
        if not isinstance(record[name], kind):
            raise TestsetError(f"{where}: field {name!r} must be {kind.__name__}")
    if not record["question"].strip():
        raise TestsetError(f"{where}: the question is empty")
    if record["type"] not in TYPES:
        raise TestsetError(f"{where}: type {record['type']!r} is not one of {', '.join(TYPES)}")
    if not all(isinstance(s, str) for s in record["expected_sources"]):
        raise TestsetError(f"{where}: expected_sources must be a list of doc_ids (strings)")
    facts = record.get("key_facts", [])
    if not all(isinstance(f, str | int | float) and not isinstance(f, bool) for f in facts):
        raise TestsetError(f"{where}: key_facts must be strings or numbers")
    history = record.get("history", [])
    for turn in history:
        if not (
            isinstance(turn, dict)
            and turn.get("role") in ("user", "assistant")
            and isinstance(turn.get("content"), str)
        ):
            raise TestsetError(f"{where}: each history turn needs role user/assistant and a content string")
    if record["answerable"] == (record["type"] == "unanswerable"):
        raise TestsetError(f"{where}: answerable must be false exactly for type 'unanswerable'")
    return TestQuestion(
        id=record["id"],
        question=record["question"],
        reference_answer=record["reference_answer"],
        expected_sources=tuple(record["expected_sources"]),
        answerable=record["answerable"],
        type=record["type"],
        key_facts=tuple(str(f) for f in facts),
        history=tuple(history),
    )


def load_testset(path: Path) -> list[TestQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TestsetError(f"cannot read the test set {path}: {exc}") from exc
    questions: list[TestQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestsetError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        question = _check(record, where)
        if question.id in seen:
            raise TestsetError(f"{where}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise TestsetError(f"{path} holds no questions")
    return questions
