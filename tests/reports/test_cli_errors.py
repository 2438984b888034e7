"""``report`` and ``summary`` fail with one line and exit 1 when there is nothing to read or
nowhere to write: no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.reports.conftest import build_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, warehouse: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["report", "summary"])
def test_missing_warehouse_says_how_to_build_it(command: str, warehouse: Path) -> None:
    line = _one_line(_cli(command, warehouse=warehouse))

    assert line.startswith(f"{command}: no warehouse at {warehouse}")
    assert "make demo" in line and "dbt build" in line
    assert not warehouse.parent.joinpath("reports").exists()


def test_unwritable_output_is_one_line(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=("dim_station_thresholds",))

    line = _one_line(_cli("report", "--output", "/proc/x.html", warehouse=warehouse))

    assert line.startswith("report: cannot write /proc/x.html")


@pytest.mark.parametrize("command", ["report", "summary"])
def test_a_running_writer_is_one_line(command: str, warehouse: Path) -> None:
    build_warehouse(warehouse, marts=("dim_station_thresholds",))

    # a load or dbt build holds the file open for writing
    with duckdb.connect(str(warehouse)):
        line = _one_line(_cli(command, warehouse=warehouse))

    assert line.startswith(f"{command}: cannot open {warehouse} read-only (is a load or dbt")
