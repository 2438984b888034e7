"""Forecast models on the simulated sample: no look-ahead at checkpoints, error grows with lead.

On a copy of the shared sample warehouse (KMDW and KNYC, 2025-03-01..12, with the simulated
Visual Crossing forecasts the sample loads), build the forecast models, snapshot every
checkpoint at or before a probe instant T, then rewrite every forecast published after T
(+20 °F), and check (the checkpoint model is a view over views: no rebuild needed) that no checkpoint at or before T moved while later ones did.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import build_sample_models, built_once, query_rows

FORECAST_MODELS = (  # their other parents are in the sample warehouse already
    "stg_visual_crossing__forecasts",
    "int_forecast_climate_days",
    "int_forecast_asof",
    "int_forecast_checkpoints",
    "fct_forecast_error",
)
PROBE = datetime(2025, 3, 11, 18, 7, tzinfo=UTC)  # 12:07 LST at KMDW, off the checkpoint grid
CHECKPOINTS = (
    "select * from main.int_forecast_checkpoints where checkpoint_at {op} '{at}' "
    "order by data_source, station_icao, climate_date, checkpoint_at"
)


@pytest.fixture(scope="module")
def forecast_warehouse(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample warehouse with the forecast models built, once per test run (read
    it only)."""

    def build(root: Path) -> Path:
        path = root / "kalshi_weather.duckdb"
        shutil.copyfile(sample_warehouse, path)
        build_sample_models(path, root, FORECAST_MODELS)
        return path

    return built_once(tmp_path_factory, "forecast_warehouse", build)


def _checkpoints(path: Path, op: str) -> list[dict[str, Any]]:
    return query_rows(path, CHECKPOINTS.format(op=op, at=PROBE.isoformat()))


def test_forecast_error_grows_with_lead(forecast_warehouse: Path) -> None:
    rows = query_rows(
        forecast_warehouse,
        "select lead_days, sum(forecast_day_count) as n, "
        "sum((high_mae_f + low_mae_f) / 2 * forecast_day_count) / sum(forecast_day_count) as mae "
        "from main.fct_forecast_error where data_source = 'simulated' group by 1 order by 1",
    )
    assert [row["lead_days"] for row in rows] == [0, 1, 2, 3]
    assert all(row["n"] >= 20 for row in rows)
    maes = [row["mae"] for row in rows]
    assert maes == sorted(maes) and maes[3] > maes[0] + 1.0, maes


def test_checkpoints_never_use_a_forecast_published_after_them(
    forecast_warehouse: Path, tmp_path: Path
) -> None:
    # this test rewrites forecasts: on its own copy
    path = shutil.copyfile(forecast_warehouse, tmp_path / forecast_warehouse.name)
    before = _checkpoints(path, "<=")
    later_before = _checkpoints(path, ">")
    assert before and all(row["forecast_high_f"] is not None for row in before)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "update raw_visual_crossing.forecasts set temp_f = temp_f + 20, "
            "temp_max_f = temp_max_f + 20, temp_min_f = temp_min_f + 20 where published_at > ?",
            [PROBE],
        )
    assert _checkpoints(path, "<=") == before  # nothing known at T moved
    later_after = _checkpoints(path, ">")
    moved = [
        (old, new)
        for old, new in zip(later_before, later_after, strict=True)
        if old["forecast_high_f"] != new["forecast_high_f"]
    ]
    assert moved  # the rewrite reached the model: the canary has teeth
    assert all(new["published_at"] > PROBE for _, new in moved)
    late = query_rows(
        path,
        "select count(*) as n from main.int_forecast_checkpoints where published_at > checkpoint_at",
    )
    assert late == [{"n": 0}]
