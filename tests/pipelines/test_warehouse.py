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


def test_a_dot_in_the_warehouse_name_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    import duckdb

    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

    target = tmp_path / "my.warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(target))

    assert make_pipeline("iem", "raw_iem").pipeline_name == "iem_my_warehouse"
    run_sample([station_by_icao("KMDW")], date(2025, 3, 1), date(2025, 3, 1))
    with duckdb.connect(str(target), read_only=True) as con:
        rows = con.execute("select count(*) from raw_iem.asos_observations").fetchall()
    assert rows[0][0] > 0
