"""The feature function: one code path for training and serving, and no look-ahead."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from domain.climate_day import climate_day_window
from domain.stations import station_by_icao
from models_ml.dataset import load_features
from models_ml.features import (
    FEATURE_NAMES,
    ObservationSeries,
    checkpoint_features,
    extreme_is_tgroup,
)
from models_ml.solar import sunset_at
from tests.conftest import query_rows

STATION = station_by_icao("KMDW")
DAY = date(2025, 3, 4)


def _same(left: object, right: object) -> bool:
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (left, right)]
    if any(missing):
        return all(missing)
    return left == right


def _synthetic_series() -> ObservationSeries:
    """A day of 5-minute reports (whole °C) and hourly routine ones (T group)."""
    start, _ = climate_day_window(DAY, STATION)
    rng = np.random.default_rng(7)
    times, kinds, temps, dews, tgroups = [], [], [], [], []
    for minute in range(-180, 1440, 5):
        at = start + timedelta(minutes=minute)
        routine = minute % 60 == 50
        temp = 30 + 15 * math.sin(math.pi * minute / 1440) + rng.normal(0, 0.5)
        times.append(at)
        kinds.append(3 if routine else 1)
        temps.append(round(temp, 1))
        dews.append(round(temp - 8, 1))
        tgroups.append(routine)
    return ObservationSeries.from_readings(times, kinds, temps, dews, tgroups)


def _corrupt_after(series: ObservationSeries, epoch: int) -> ObservationSeries:
    future = series.available_epoch > epoch
    return replace(
        series,
        temp_f=np.where(future, 999.0, series.temp_f),
        dewpoint_f=np.where(future, -99.0, series.dewpoint_f),
        is_tgroup=np.where(future, ~series.is_tgroup, series.is_tgroup),
    )


def _features(series: ObservationSeries, at: datetime) -> dict[str, object]:
    return checkpoint_features(
        series,
        STATION,
        DAY,
        at,
        running_extreme_f=40,
        running_extreme_f_precise=40.3,
        running_extreme_is_tgroup=extreme_is_tgroup(series, STATION, DAY, at, "HIGH"),
        forecast_high_f=48.0,
        forecast_low_f=None,
    ) | {"is_tgroup": extreme_is_tgroup(series, STATION, DAY, at, "HIGH")}


@pytest.mark.parametrize("minute", [15, 300, 720, 905, 1440])
def test_future_rows_corrupted_change_no_feature(minute: int) -> None:
    series = _synthetic_series()
    start, _ = climate_day_window(DAY, STATION)
    at = start + timedelta(minutes=minute)
    epoch = int(at.timestamp())
    assert (series.available_epoch > epoch).any() or minute == 1440
    assert _features(_corrupt_after(series, epoch), at) == _features(series, at)
    # the canary can fail: corrupting what was published by the checkpoint shows
    assert _features(_corrupt_after(series, epoch - 3600), at) != _features(series, at)


def test_features_match_between_warehouse_rows_and_serving_inputs(sample_warehouse: Path) -> None:
    frame = load_features(sample_warehouse, step_minutes=120)
    assert len(frame) > 0 and list(frame.columns[-len(FEATURE_NAMES) :]) == list(FEATURE_NAMES)
    readings = query_rows(
        sample_warehouse,
        "select observed_at, report_type, temp_f, dewpoint_f, has_precise_temp "
        "from stg_iem__observations where station_icao = 'KNYC' order by observed_at desc",
    )
    series = ObservationSeries.from_readings(
        [r["observed_at"] for r in readings],
        [r["report_type"] for r in readings],
        [r["temp_f"] for r in readings],
        [r["dewpoint_f"] for r in readings],
        [bool(r["has_precise_temp"]) for r in readings],
    )
    station = station_by_icao("KNYC")
    rows = frame[frame["station_icao"] == "KNYC"]
    assert rows["extreme_is_tgroup"].notna().any()
    for row in rows.itertuples(index=False):
        at = row.checkpoint_at.to_pydatetime().astimezone(UTC)
        day = row.climate_date.date()
        served = checkpoint_features(
            series,
            station,
            day,
            at,
            int(row.running_extreme_f),
            float(row.running_extreme_f_precise),
            extreme_is_tgroup(series, station, day, at, row.contract_type),
        )
        trained = {name: getattr(row, name) for name in FEATURE_NAMES}
        assert all(_same(served[n], trained[n]) for n in FEATURE_NAMES), (row, served)


def test_sunset_at_chicago_in_march() -> None:
    # NOAA: Chicago sunset on 2025-03-01 at 17:40 CST (23:40 UTC)
    sunset = sunset_at(date(2025, 3, 1), STATION.latitude, STATION.longitude)
    assert abs(sunset - datetime(2025, 3, 1, 23, 40, tzinfo=UTC)) < timedelta(minutes=5)
