"""Read-only warehouse access for the readers: raw schemas found, light imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from reports.warehouse import connect_read_only, latest_report, raw_schemas, relations
from tests.reports.conftest import build_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_raw_schemas_are_the_dlt_datasets_not_their_staging(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=("fct_backtest_trades",))
    with duckdb.connect(str(warehouse)) as con:
        # what dlt leaves beside a merged dataset: a staging twin without _dlt_loads
        con.execute("create schema raw_iem_staging")
        con.execute("create table raw_iem_staging.asos_observations as select 1 as n")
        con.execute("create table raw_iem_staging._dlt_version as select 1 as version")
        con.execute("create schema raw_kalshi")
        con.execute("create table raw_kalshi.markets as select 'real' as data_source")
        con.execute("create table raw_kalshi._dlt_loads as select 1 as load_id")

    with connect_read_only(warehouse) as con:
        schemas = raw_schemas(con)
        listed = relations(con, schemas)

    assert schemas == ("raw_iem", "raw_kalshi")
    assert listed == [
        ("raw_iem", "asos_observations", "table"),
        ("raw_kalshi", "markets", "table"),
    ]


def test_latest_report_is_none_until_written(warehouse: Path) -> None:
    assert latest_report() is None
    (warehouse.parent / "reports").mkdir()
    (warehouse.parent / "reports" / "latest.html").write_text("<html></html>")

    assert latest_report() == warehouse.parent / "reports" / "latest.html"


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("reports.summary", "matplotlib"),  # the summary must stay light
        ("pipelines.cli", "matplotlib"),  # a load never pays for the report's plotting
        ("pipelines.cli", "reports"),
    ],
)
def test_imports_stay_light(module: str, absent: str) -> None:
    code = f"import {module}, sys; assert {absent!r} not in sys.modules, sorted(sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
