"""The one private Chroma attribute the store relies on (rag/index/chroma.py) still works as assumed.

chromadb is pinned to the tested minor release; this fails first when an upgrade changes it.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from rag.config import AppConfig
from rag.index import chroma


def test_chromadb_is_the_pinned_minor_release() -> None:
    assert version("chromadb").startswith("1.5.")


def test_forgetting_the_embedded_system_makes_the_next_client_a_new_one(tmp_path: Path) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    config = AppConfig(corpus_dir=tmp_path, index_dir=tmp_path / "index")
    key = str(chroma.embedded_path(config))
    chroma.connect(config)
    cached = SharedSystemClient._identifier_to_system[key]  # Chroma caches one system per path
    chroma.connect(config)
    assert SharedSystemClient._identifier_to_system[key] is cached
    chroma.forget_embedded_system(config)
    assert key not in SharedSystemClient._identifier_to_system
    chroma.connect(config)
    assert SharedSystemClient._identifier_to_system[key] is not cached
