"""The warehouse a replay needs (engine inputs, ``fct_backtest_trades``, the thresholds export),
built once per session and shared by the replay and chaos tests.

It is the shared sample of ``tests/conftest.py`` (two stations, 2025-03-01..12, one risk book),
built into the session's base temp folder; ``tests/trader/conftest.py`` shadows that
fixture's name with its own smaller warehouse, so the build is reached here by path: whichever
test module asks first builds it, the others find it done.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import (
    SAMPLE_END,
    SAMPLE_GATE_MARTS,
    SAMPLE_START,
    SAMPLE_STATIONS,
    build_sample_models,
)


def replay_warehouse_path(factory: pytest.TempPathFactory) -> Path:
    """The built sample warehouse (built on first use in this session)."""
    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

    root = factory.getbasetemp() / "replay_sample"
    path = root / "warehouse" / "kalshi_weather.duckdb"
    done = root / "built.json"
    if done.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_PATH", str(path))
        run_sample([station_by_icao(code) for code in SAMPLE_STATIONS], SAMPLE_START, SAMPLE_END)
    build_sample_models(
        path, root, (*SAMPLE_GATE_MARTS, "+fct_backtest_daily", "+rpt_station_thresholds_export")
    )
    done.write_text(json.dumps({"warehouse": str(path)}))
    return path


@pytest.fixture(scope="session")
def replay_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse with the backtest and the simulated thresholds export built."""
    return replay_warehouse_path(tmp_path_factory)
