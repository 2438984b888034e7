"""dlt pipelines into the warehouse: the writer, not the readers, creates the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.warehouse import make_pipeline


def test_make_pipeline_creates_the_folder_and_keeps_dlt_state_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new" / "w.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(target))

    pipeline = make_pipeline("iem", "raw_iem")

    assert target.parent.is_dir()
    assert pipeline.pipeline_name == "iem_w"
    assert pipeline.dataset_name == "raw_iem"
    assert Path(pipeline.pipelines_dir) == target.parent / ".dlt_pipelines" / "w"
