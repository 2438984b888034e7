"""``python -m pipelines check``: freshness per station and of the export, a non-zero exit when
anything the trader needs is stale, one line when there is nothing to check."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.lock import LockMode, warehouse_lock
from tests.conftest import SAMPLE_STATIONS, query_rows

# Generous limits for what a test does not look at (the sample is from 2025).
LOOSE = ["--max-quote-hours", "100000", "--max-cli-hours", "100000", "--max-export-hours", "1"]


def _last_observation(warehouse: Path, station: str) -> datetime:
    rows = query_rows(
        warehouse,
        "select max(observed_at) as at from stg_iem__observations "
        f"where data_source = 'simulated' and station_icao = '{station}'",
    )
    return rows[0]["at"]


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_fresh_data_exits_0_with_a_row_per_station(sample_warehouse_copy: Path) -> None:
    latest = max(_last_observation(sample_warehouse_copy, s) for s in SAMPLE_STATIONS)
    as_of = (latest + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S")

    status, output = _check(
        "--simulated",
        "--stations",
        ",".join(SAMPLE_STATIONS),
        "--as-of",
        as_of,
        "--max-observation-hours",
        "100000",
        *LOOSE,
        "--json",
    )

    assert status == 0, output
    report = json.loads(output)
    assert report["stale"] is False
    assert [s["station"] for s in report["stations"]] == list(SAMPLE_STATIONS)
    for entry in report["stations"]:
        last = _last_observation(sample_warehouse_copy, entry["station"])
        assert datetime.fromisoformat(entry["observation"]["last_at"]) == last
        assert entry["quote"]["last_at"] is not None and entry["cli"]["climate_date"]
        assert entry["export_rows"] == 2  # HIGH and LOW
    assert report["export"]["path"].endswith("station_thresholds_simulated.parquet")


def test_an_old_observation_is_stale_and_exits_1(sample_warehouse_copy: Path) -> None:
    knyc = _last_observation(sample_warehouse_copy, "KNYC")
    kmdw = _last_observation(sample_warehouse_copy, "KMDW")
    # an hour's limit, checked 90 minutes after KNYC's last report: KNYC is stale
    as_of = knyc + timedelta(minutes=90)
    assert kmdw > as_of - timedelta(hours=1), "the sample's KMDW reports end later than KNYC's"

    status, output = _check(
        "--simulated",
        "--stations",
        "KNYC,KMDW",
        "--as-of",
        as_of.strftime("%Y-%m-%dT%H:%M:%S"),
        "--max-observation-hours",
        "1",
        *LOOSE,
    )

    assert status == 1, output
    assert "STALE: KNYC (observation)" in output
    assert "KMDW" not in output.split("STALE:")[1]
    assert "(90 min) STALE" in output


def test_real_data_missing_is_stale(sample_warehouse_copy: Path) -> None:
    status, output = _check("--stations", "KNYC", "--json")

    assert status == 1, output
    report = json.loads(output)
    knyc = report["stations"][0]
    assert knyc["observation"]["last_at"] is None and knyc["observation"]["stale"] is True
    assert report["data_source"] == "real"


def test_no_warehouse_is_one_line(warehouse: Path) -> None:
    status, output = _check()

    assert status == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert f"no warehouse at {warehouse}" in lines[0]
    assert not warehouse.exists()


def test_a_warehouse_that_was_never_built_is_one_line(warehouse: Path) -> None:
    duckdb.connect(str(warehouse)).close()

    status, output = _check()

    assert status == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "has no built staging views or marts yet" in lines[0]
    assert "python -m pipelines build" in lines[0]


def test_a_running_writer_is_named(sample_warehouse_copy: Path) -> None:
    with warehouse_lock(LockMode.exclusive) as holder:
        status, output = _check()

    assert status == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert f"pid {holder.pid}" in lines[0] and "--wait-seconds" in lines[0]
