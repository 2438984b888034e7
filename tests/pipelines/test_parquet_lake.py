"""The raw layer as a Parquet lake (docs/scale.md) builds the same marts as the DuckDB file.

The DuckDB-file build is a copy of the shared sample warehouse (tests/conftest.py: KMDW and
KNYC, 2025-03-01..12, the gate, thresholds and backtest marts) with every other model built
too. The same sample is loaded twice into a Parquet lake (a re-run must not change what the
marts see), every model is built from the lake into a fresh DuckDB file, and every table of
the two builds is compared with ``bench.checksums``: rows, key and whole-row checksums.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from bench.checksums import checksums, table_keys
from domain.stations import station_by_icao
from pipelines.cli import app
from pipelines.lake import LAKE_ENV
from pipelines.loading import table_row_counts
from pipelines.sample.runner import run_sample
from pipelines.warehouse import IEM_DATASET, KALSHI_DATASET
from tests.conftest import (
    SAMPLE_DBT_VARS,
    SAMPLE_END,
    SAMPLE_GATE_MARTS,
    SAMPLE_START,
    SAMPLE_STATIONS,
    run_dbt,
)

# What the shared sample warehouse builds (tests/conftest.py, sample_warehouse).
SHARED_BUILD = (*SAMPLE_GATE_MARTS, "+fct_backtest_daily", "+rpt_station_thresholds_export")
# Values that are not the data's: the wall-clock time of the Kalshi load (the simulated series
# snapshots are stamped when fetched) and the export file's path beside each warehouse.
NOT_THE_DATA = {
    "dim_settlement_rules": ("fee_content_changed_at", "last_changed_at"),
    "rpt_station_thresholds_export": ("export_path",),
}
# A double aggregated over rows in another order can differ in its last bit (fct_forecast_error's
# averages: the lake's rows reach it in another order); a changed value differs far above this.
DOUBLE_DIGITS = 9
DATASETS = (IEM_DATASET, KALSHI_DATASET, "raw_visual_crossing")


def _load_sample() -> None:
    stations = [station_by_icao(code) for code in SAMPLE_STATIONS]
    run_sample(stations, SAMPLE_START, SAMPLE_END)


def _figures(
    con: duckdb.DuckDBPyConnection, path: Path, keys: dict[str, list[str]]
) -> dict[str, Any]:
    """``bench.checksums`` of every table in ``keys`` of the file, less ``NOT_THE_DATA``, with
    doubles rounded to ``DOUBLE_DIGITS`` places."""
    con.execute(f"attach '{path}' as built (read_only)")
    try:
        for name in keys:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'built' and table_schema = 'main' and table_name = ? "
                "order by ordinal_position",
                [name],
            ).fetchall()
            select = ", ".join(
                f'round("{column}", {DOUBLE_DIGITS}) as "{column}"'
                if kind in ("DOUBLE", "FLOAT")
                else f'"{column}"'
                for column, kind in columns
                if column not in NOT_THE_DATA.get(name, ())
            )
            con.execute(f"create or replace view {name} as select {select} from built.main.{name}")
        return checksums(con, keys)
    finally:
        for name in keys:
            con.execute(f"drop view if exists {name}")
        con.execute("detach built")


def _build(warehouse_file: Path, work_dir: Path, exclude: tuple[str, ...] = ()) -> None:
    """``dbt build`` every seed and model (no data tests) with the sample vars, less ``exclude``."""
    args = ["build", "--resource-type", "seed", "--resource-type", "model"]
    args += ["--vars", SAMPLE_DBT_VARS, *(["--exclude", *exclude] if exclude else [])]
    result = run_dbt(args, warehouse_file, work_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_run_lake_writes_partitioned_parquet_and_reruns_add_no_rows(
    warehouse: Path, tmp_path: Path
) -> None:
    lines = ["station,valid,tmpf,dwpf,metar"]
    for hour in range(6):
        lines.append(
            f"NYC,2026-08-21 {hour:02d}:51,78.08,64.04,"
            f"KNYC 21{hour:02d}51Z AUTO 04003KT 10SM 26/18 A3006 RMK AO2 T02560178"
        )
    (tmp_path / "asos.csv").write_text("\n".join(lines) + "\n")
    lake = tmp_path / "lake"
    args = ["run", "--source", "files", "--path", str(tmp_path / "asos.csv"), "--lake", str(lake)]
    for _ in range(2):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    assert LAKE_ENV not in os.environ  # --lake holds for the command only
    assert not warehouse.exists()  # no marker, no migration: the warehouse file is not opened
    files = sorted((lake / IEM_DATASET / "asos_observations").rglob("*.parquet"))
    assert len(files) == 2 and all(p.parent.name.startswith("load_date=") for p in files)
    with duckdb.connect() as con:
        appended = con.execute(f"select count(*) from read_parquet({[str(p) for p in files]})")
        assert appended.fetchall()[0][0] == 12
    os.environ[LAKE_ENV] = str(lake)
    try:
        assert table_row_counts(IEM_DATASET)["asos_observations"] == 6
    finally:
        del os.environ[LAKE_ENV]


@pytest.mark.dbt
def test_lake_build_matches_the_duckdb_build(
    sample_warehouse_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the DuckDB-file build: the shared one, completed with every model it leaves out
    _build(sample_warehouse_copy, tmp_path / "file", exclude=SHARED_BUILD)
    in_file = {dataset: table_row_counts(dataset) for dataset in DATASETS}

    lake = tmp_path / "lake"
    built = tmp_path / "from_lake" / "kalshi_weather.duckdb"
    built.parent.mkdir()
    monkeypatch.setenv("WAREHOUSE_PATH", str(built))
    monkeypatch.setenv(LAKE_ENV, str(lake))
    _load_sample()
    assert {dataset: table_row_counts(dataset) for dataset in DATASETS} == in_file
    _load_sample()  # a re-run appends files; the rows the marts see stay the same
    assert {dataset: table_row_counts(dataset) for dataset in DATASETS} == in_file
    assert not built.exists()  # a lake load never opens the warehouse file
    observations = list((lake / IEM_DATASET / "asos_observations").rglob("*.parquet"))
    assert len(observations) >= 2 and all("load_date=" in p.parent.name for p in observations)

    _build(built, tmp_path / "from_lake")
    keys = table_keys(json.loads((tmp_path / "from_lake" / "target" / "manifest.json").read_text()))
    with duckdb.connect(str(built), read_only=True) as con:
        assert not con.execute(
            "select count(*) from information_schema.tables where table_schema like 'raw%'"
        ).fetchall()[0][0]  # the raw layer stayed in the lake
    with duckdb.connect() as con:
        from_lake = _figures(con, built, keys)
        from_file = _figures(con, sample_warehouse_copy, keys)
    assert len(from_lake) >= 25 and sum(fig["rows"] for fig in from_lake.values()) > 50_000
    differ = {
        name: (from_file[name], fig) for name, fig in from_lake.items() if from_file[name] != fig
    }
    assert not differ
