"""The package layout holds: no import circles, ui -> ingest, rag and ingest -> rag only, Chroma inside rag/index."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("rag", "ingest", "ui")
# Who may import whom, by top-level package.
ALLOWED = {"rag": {"rag"}, "ingest": {"ingest", "rag"}, "ui": {"ui", "ingest", "rag"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py"))}


def imports(path: Path, known: set[str]) -> set[str]:
    """Our modules this file imports anywhere (top level, inside functions, under TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from rag.index import chroma" imports the module rag.index.chroma, "from rag.types import X" rag.types
            module = node.module
            names = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(path, known) - {name} for name, path in found.items()}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_circles() -> None:
    found = cycle(graph())
    assert found is None, "import circle: " + " -> ".join(found or [])


def test_imports_follow_the_layers() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    ]
    assert wrong == []


def test_only_the_index_touches_chroma() -> None:
    outside = []
    for name, path in modules().items():
        if name.startswith("rag.index"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                outside += [f"{name} imports {m}" for m in mods if m.split(".")[0] == "chromadb"]
    assert outside == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"p": {"p.x"}, "p.x": {"p"}}, ["p", "p.x", "p"]),
        ({"p.x": {"p"}, "p": set(), "q": {"p.x"}}, None),
    ],
)
def test_the_circle_finder_finds_circles(edges: dict[str, set[str]], expected: list[str] | None) -> None:
    assert cycle(edges) == expected
