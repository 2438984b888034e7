"""The refresh cycle (``schedule``) against the fake IEM and Kalshi servers on a scratch warehouse."""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from domain.layout import exports_dir, thresholds_export_stem
from domain.stations import station_by_icao
from pipelines.cli import app
from pipelines.lock import LockMode, warehouse_lock
from pipelines.refresh import run_cycle, run_schedule
from tests.conftest import query_rows
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_server import FakeKalshi, fake_kalshi, make_key_pair

CUTOFF = "2026-01-01T00:00:00Z"
HOURS_OF_REPORTS = 12


@pytest.fixture
def iem() -> Iterator[tuple[FakeIem, str]]:
    """A fake IEM with a routine KNYC report every hour of the last half day and one CLI."""
    fake = FakeIem(None)
    now = datetime.now(UTC).replace(minute=51, second=0, microsecond=0) - timedelta(hours=1)
    for hours in range(HOURS_OF_REPORTS):
        at = now - timedelta(hours=hours)
        metar = f"KNYC {at:%d%H%M}Z AUTO 04003KT 10SM FEW041 06/M01 A3006 RMK AO2 SLP171 T00561011"
        fake.asos[("NYC", "3")].append(f"NYC,{at:%Y-%m-%d %H:%M},42.08,30.20,{metar}")
    day = now.date() - timedelta(days=1)
    fake.cli[("KNYC", day.year)].append(
        {
            "station": "KNYC",
            "valid": day.isoformat(),
            "wfo": "OKX",
            "product": f"{now:%Y%m%d}0630-KOKX-CDUS41-CLINYC",
            "high": 45,
            "high_time": "356 PM",
            "low": 30,
            "low_time": "M",
        }
    )
    url = fake.start()
    try:
        yield fake, url
    finally:
        fake.stop()


@pytest.fixture
def kalshi() -> Iterator[FakeKalshi]:
    """A fake Kalshi with no markets open (every listing answers empty), unsigned requests."""
    with fake_kalshi(make_key_pair()[0].public_key()) as server:
        server.require_signature = False
        server.route("/historical/cutoff", _cutoff_body())
        for path, key in (
            ("/events", "events"),
            ("/markets", "markets"),
            ("/historical/markets", "markets"),
        ):
            server.route(path, {key: [], "cursor": ""})
        yield server


def _cutoff_body() -> dict[str, str]:
    return {"market_settled_ts": CUTOFF, "trades_created_ts": CUTOFF, "orders_updated_ts": CUTOFF}


@pytest.fixture
def live(
    iem: tuple[FakeIem, str], kalshi: FakeKalshi, monkeypatch: pytest.MonkeyPatch
) -> FakeKalshi:
    """Point the live loaders at the fakes (no Kalshi credentials: no order books)."""
    monkeypatch.setenv("IEM_BASE_URL", iem[1])
    monkeypatch.setenv("KALSHI_BASE_URL", kalshi.base_url)
    monkeypatch.delenv("KALSHI_API_KEY_ID", raising=False)
    monkeypatch.delenv("KALSHI_PRIVATE_KEY_PATH", raising=False)
    return kalshi


def _summary_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("refresh ")]


def test_a_failed_cycle_is_counted_and_the_next_one_runs(
    live: FakeKalshi, warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Kalshi refuses the first cycle's first request for good (400), then serves normally.
    live.route("/historical/cutoff", [(400, {"code": "bad_request"}), (200, _cutoff_body())])
    caplog.set_level(logging.INFO)
    cycle = partial(run_cycle, [station_by_icao("KNYC")], 2, 0.0, False)

    tally = run_schedule(cycle, timedelta(seconds=1), iterations=2)

    assert (tally.cycles, tally.failed) == (2, 1)
    first, second = _summary_lines(caplog)
    assert first.startswith("refresh FAILED: iem live +")
    assert "kalshi live: " in first and "400" in first
    assert first.endswith("[cycle 1, 1 failed so far]")
    # the second cycle re-fetches the same window: the merge adds nothing, Kalshi now loads
    assert second.startswith("refresh ok: iem live +0 rows; kalshi live +0 rows; ")
    assert second.endswith("[cycle 2, 1 failed so far]")
    observations = query_rows(
        warehouse, "select count(*) as n from raw_iem.asos_observations where station = 'KNYC'"
    )
    assert observations == [{"n": HOURS_OF_REPORTS}]
    assert len(live.requests_to("/historical/cutoff")) == 2


def _read_export(path: Path) -> int:
    """Rows of an export file, read whole as the trader does (raises on a partial file)."""
    if path.suffix == ".json":
        return len(json.loads(path.read_text()))
    return pq.read_table(path).num_rows


def test_schedule_once_loads_builds_and_rewrites_the_export_atomically(
    live: FakeKalshi, sample_warehouse: Path, sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    shutil.copytree(exports_dir(sample_warehouse), exports_dir(sample_warehouse_copy))
    stem = exports_dir(sample_warehouse_copy) / thresholds_export_stem("simulated")
    files = [stem.with_suffix(".json"), stem.with_suffix(".parquet")]
    expected = {path: _read_export(path) for path in files}
    before = {path: path.stat().st_mtime_ns for path in files}
    seen: list[tuple[Path, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def poll() -> None:  # the trader's view while the cycle rebuilds
        while not stop.wait(0.005):  # a short pause: the GIL is shared with the load
            for path in files:
                try:
                    seen.append((path, _read_export(path)))
                except Exception as exc:  # noqa: BLE001 - any failed read is the finding
                    errors.append(f"{path.name}: {exc!r}")

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        result = CliRunner().invoke(
            app,
            ["schedule", "--once", "--stations", "KNYC", "--wait-seconds", "0"]
            + ["--select", "rpt_station_thresholds_export"]
            + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        )
    finally:
        stop.set()
        reader.join()

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "refresh " in line]
    assert len(lines) == 1, result.output
    assert "refresh ok: iem live +" in lines[0]
    assert "kalshi live +0 rows; dbt build ok; export 0 rows;" in lines[0]
    assert all(path.stat().st_mtime_ns > before[path] for path in files)  # rewritten
    assert errors == []
    assert len(seen) > 10
    assert {rows for path, rows in seen} == set(expected.values())
    assert all(rows == expected[path] for path, rows in seen)
    assert not [p.name for p in stem.parent.iterdir() if p.name.endswith(".tmp")]


def test_schedule_once_exits_1_when_the_cycle_fails(warehouse: Path) -> None:
    with warehouse_lock(LockMode.exclusive) as holder:
        result = CliRunner().invoke(app, ["schedule", "--once", "--wait-seconds", "0"])

    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "refresh " in line]
    assert len(lines) == 1, result.output
    assert "refresh FAILED: warehouse" in lines[0] and f"pid {holder.pid}" in lines[0]
    assert "Traceback" not in result.output


def test_print_cron_runs_one_cycle_with_the_loops_options(warehouse: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["schedule", "--print-cron", "--every-minutes", "30", "--stations", "KNYC,KMDW"]
        + ["--lookback-days", "3", "--select", "+rpt_station_thresholds_export"],
    )

    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert "\n" not in line
    assert line.startswith("*/30 * * * * cd ")
    assert f"WAREHOUSE_PATH={warehouse} " in line
    assert "/.venv/bin/python -m pipelines schedule --once --stations KNYC,KMDW " in line
    assert "--lookback-days 3 --wait-seconds 600 --select +rpt_station_thresholds_export" in line
    assert line.endswith(f">> {warehouse.parent / 'refresh.log'} 2>&1")
