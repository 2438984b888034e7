"""Warehouse reads: the as-of forecast join and its absence."""

from __future__ import annotations

from pathlib import Path

import duckdb

from models_ml.dataset import connect, load_checkpoints

CHECKPOINTS = """
    create table int_gate_contract_checkpoints as
    select 'simulated' as data_source, 'KMDW' as station_icao, 'HIGH' as contract_type,
        date '2025-03-04' as climate_date, minute as checkpoint_minute,
        timestamptz '2025-03-04 06:00:00+00' + to_minutes(minute) as checkpoint_at,
        40 as running_extreme_f, 40.3 as running_extreme_f_precise, 2 as delta_f,
        'MAM' as season, 'train' as sample_period
    from (values (60), (120)) as minutes (minute)
"""


def _warehouse(tmp_path: Path, with_forecasts: bool) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute(CHECKPOINTS)
    if with_forecasts:
        # for checkpoint 60 (07:00 UTC): one forecast published before it, one after
        con.execute(
            """
            create table int_forecast_checkpoints as
            select 'simulated' as data_source, 'KMDW' as station_icao,
                date '2025-03-04' as climate_date, 60 as checkpoint_minute,
                timestamptz '2025-03-04 07:00:00+00' as checkpoint_at,
                high as forecast_high_f, 30.0 as forecast_low_f, 0 as lead_days,
                timestamptz '2025-03-04 07:00:00+00' + to_minutes(offset_minutes) as published_at
            from (values (50.0, -30), (99.0, 5)) as forecasts (high, offset_minutes)
            """
        )
    con.close()
    return path


def test_forecast_is_the_latest_published_by_the_checkpoint(tmp_path: Path) -> None:
    con = connect(_warehouse(tmp_path, with_forecasts=True))
    rows = load_checkpoints(con, step_minutes=60).set_index("checkpoint_minute")
    con.close()
    assert rows.loc[60, "forecast_high_f"] == 50.0
    assert rows.loc[60, "forecast_low_f"] == 30.0
    assert rows["forecast_high_f"].isna().loc[120]


def test_forecast_features_are_null_without_the_table(tmp_path: Path) -> None:
    con = connect(_warehouse(tmp_path, with_forecasts=False))
    rows = load_checkpoints(con, step_minutes=60)
    con.close()
    assert len(rows) == 2 and rows["forecast_high_f"].isna().all()
