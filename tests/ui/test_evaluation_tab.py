"""Which test set the Evaluation tab runs, and the errors it shows instead of running."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import AppConfig
from rag.eval.testset import TestsetError
from ui.web import evaluation
from ui.web.evaluation import SHIPPED, UPLOAD, reports_dir
from ui.web.server import launch_options


def test_the_configured_or_the_uploaded_test_set(tmp_path: Path) -> None:
    shipped, uploaded = tmp_path / "set.jsonl", tmp_path / "upload.jsonl"
    shipped.write_text("{}\n")
    config = AppConfig(corpus_dir=tmp_path, index_dir=tmp_path / "index", testset=shipped)
    assert evaluation.testset_path(config, SHIPPED, str(uploaded)) == shipped
    assert evaluation.testset_path(config, UPLOAD, str(uploaded)) == uploaded
    with pytest.raises(TestsetError, match="upload first"):
        evaluation.testset_path(config, UPLOAD, None)
    shipped.unlink()
    with pytest.raises(TestsetError, match=r"set\.jsonl does not exist: upload one, or set CLUSTERQA_TESTSET"):
        evaluation.testset_path(config, SHIPPED, None)


def test_report_files_can_be_downloaded_and_nothing_else(tmp_path: Path) -> None:
    config = AppConfig(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assert launch_options(config, "127.0.0.1", 7860, None)["allowed_paths"] == [str(reports_dir(config))]
    assert reports_dir(config) == tmp_path / "index" / "evaluations"
