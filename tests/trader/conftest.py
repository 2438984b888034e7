"""Fixtures for the trader tests: a small simulated warehouse, and the shared sample for replays."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import built_once, run_dbt

# Three time zones (UTC-5, -7, -8) over the spring DST change (2025-03-09).
SAMPLE_STATIONS = ("KNYC", "KDEN", "KLAX")
SAMPLE_START = date(2025, 3, 7)
SAMPLE_END = date(2025, 3, 11)


def _build_trader_warehouse(root: Path) -> Path:
    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

    path = root / "warehouse" / "kalshi_weather.duckdb"
    path.parent.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_PATH", str(path))
        run_sample([station_by_icao(s) for s in SAMPLE_STATIONS], SAMPLE_START, SAMPLE_END)
    result = run_dbt(
        ["build", "--select", "+int_running_extremes", "--indirect-selection", "cautious"],
        path,
        root,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return path


@pytest.fixture(scope="session")
def trader_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway warehouse: the simulated sample for a few stations and days, built up to
    ``int_running_extremes`` once per test run (tests read it; the trader itself never opens a
    warehouse)."""
    return built_once(tmp_path_factory, "trader_warehouse", _build_trader_warehouse)


@pytest.fixture(scope="session")
def replay_warehouse(sample_warehouse: Path) -> Path:
    """The shared sample of ``tests/conftest.py`` (two stations over the DST change, the backtest
    and the simulated thresholds export built): what a replay reads. Read-only."""
    return sample_warehouse


def threshold_row(**extra: Any) -> dict[str, Any]:
    """One GO export row for KNYC HIGH (design rule); ``extra`` overrides fields."""
    return {
        "data_source": "real",
        "station_icao": "KNYC",
        "contract_type": "HIGH",
        "rule": "design",
        "window_start_minute": 840,
        "window_end_minute": 1440,
        "buffer_f": 0,
        "accuracy": "0.9500",
        "min_edge": "0.0200",
        "tier": "A",
        "max_obs_age_minutes": 20,
        "stake_min": "5.00",
        "stake_max": "10.00",
        "verdict": "GO",
        **extra,
    }
