"""The features of one contract checkpoint: ONE function for training and for live serving.

``checkpoint_features`` takes plain inputs (a station's observations, the running extreme and
its precision, the checkpoint instant, the forecast as of the checkpoint) and never the
warehouse: ``models_ml.dataset`` calls it over warehouse rows, the trader calls it on today's
readings. It looks only at observations published by the checkpoint (valid time + the report
type's delay, ``domain.running_extreme.PUBLICATION_DELAY_MINUTES``), so passing it later rows
changes nothing (tests/models_ml/test_features.py corrupts them to show it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

from domain.climate_day import climate_day_window
from domain.running_extreme import PUBLICATION_DELAY_MINUTES
from domain.stations import Station
from models_ml.solar import sunset_at

SLOPE_WINDOWS_MINUTES = (30, 60, 120)
FEATURE_NAMES: tuple[str, ...] = (
    "station_icao",
    "checkpoint_minute",
    "day_of_year",
    "running_extreme_f",
    "extreme_is_tgroup",
    "extreme_precise_minus_whole_f",
    "temp_now_minus_extreme_f",
    "temp_slope_30m_f_per_h",
    "temp_slope_60m_f_per_h",
    "temp_slope_120m_f_per_h",
    "dewpoint_f",
    "dewpoint_depression_f",
    "observation_age_minutes",
    "hours_to_sunset",
    "forecast_high_minus_extreme_f",
    "forecast_low_minus_extreme_f",
)
CATEGORICAL_FEATURES: tuple[str, ...] = ("station_icao",)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ObservationSeries:
    """One station's readings as arrays sorted by publication time.

    Attributes:
        available_epoch: seconds since the epoch at which each reading is published.
        observed_epoch: its valid time, seconds since the epoch.
        temp_f: precise °F (T group when present), NaN when missing.
        dewpoint_f: dew point °F, NaN when missing.
        is_tgroup: whether the temperature comes from a tenths-of-°C T group.
    """

    available_epoch: IntArray
    observed_epoch: IntArray
    temp_f: FloatArray
    dewpoint_f: FloatArray
    is_tgroup: npt.NDArray[np.bool_]

    @classmethod
    def from_readings(
        cls,
        observed_at: Sequence[datetime],
        report_type: Sequence[int],
        temp_f: Sequence[float | None],
        dewpoint_f: Sequence[float | None],
        is_tgroup: Sequence[bool],
        delays: Mapping[int, int] = PUBLICATION_DELAY_MINUTES,
    ) -> ObservationSeries:
        """Build the series from readings in any order (report types without a delay are dropped,
        as ``int_running_extremes`` never counts them).

        Args:
            observed_at: aware valid times.
            report_type: IEM report types (1, 3, 4).
            temp_f: precise °F or None.
            dewpoint_f: dew point °F or None.
            is_tgroup: T-group flags (``has_precise_temp``).
            delays: publication delay in minutes by report type.

        Returns:
            The series sorted by publication time, then valid time.
        """
        keep = [i for i, kind in enumerate(report_type) if kind in delays]
        observed = np.array([int(observed_at[i].timestamp()) for i in keep], dtype=np.int64)
        delay = np.array([delays[report_type[i]] * 60 for i in keep], dtype=np.int64)
        return cls.from_arrays(
            observed + delay,
            observed,
            np.array([np.nan if temp_f[i] is None else temp_f[i] for i in keep], dtype=float),
            np.array(
                [np.nan if dewpoint_f[i] is None else dewpoint_f[i] for i in keep], dtype=float
            ),
            np.array([bool(is_tgroup[i]) for i in keep], dtype=bool),
        )

    @classmethod
    def from_arrays(
        cls,
        available_epoch: IntArray,
        observed_epoch: IntArray,
        temp_f: FloatArray,
        dewpoint_f: FloatArray,
        is_tgroup: npt.NDArray[np.bool_],
    ) -> ObservationSeries:
        """The series from unsorted arrays (sorted here by publication, then valid time)."""
        order = np.lexsort((observed_epoch, available_epoch))
        return cls(
            available_epoch=available_epoch[order],
            observed_epoch=observed_epoch[order],
            temp_f=temp_f[order],
            dewpoint_f=dewpoint_f[order],
            is_tgroup=is_tgroup[order],
        )

    def published_between(self, since_epoch: float, until_epoch: float) -> slice:
        """The readings published in ``(since, until]`` (a slice of the sorted arrays)."""
        # an int64 needle: a float one makes numpy convert the whole array first
        first = np.searchsorted(self.available_epoch, np.int64(since_epoch), side="right")
        last = np.searchsorted(self.available_epoch, np.int64(until_epoch), side="right")
        return slice(int(first), int(last))


def extreme_is_tgroup(
    series: ObservationSeries,
    station: Station,
    climate_date: date,
    checkpoint_at: datetime,
    contract_type: str,
) -> bool | None:
    """Whether the running extreme as of the checkpoint comes from a T-group reading.

    Args:
        series: the station's readings.
        station: the station.
        climate_date: the climate date (local standard time).
        checkpoint_at: the aware checkpoint instant.
        contract_type: ``HIGH`` (running max) or ``LOW`` (running min).

    Returns:
        True when a reading attaining the precise extreme has a T group, False when none does,
        None before the first reading of the day.
    """
    start, end = climate_day_window(climate_date, station)
    # a reading of the day is published after the day starts
    window = series.published_between(start.timestamp(), min(checkpoint_at, end).timestamp())
    observed = series.observed_epoch[window]
    temps = series.temp_f[window]
    in_day = (observed >= start.timestamp()) & (observed < end.timestamp()) & ~np.isnan(temps)
    if not in_day.any():
        return None
    day_temps = temps[in_day]
    extreme = day_temps.max() if contract_type == "HIGH" else day_temps.min()
    return bool(series.is_tgroup[window][in_day][day_temps == extreme].any())


def _slope_f_per_hour(
    observed: IntArray, temps: FloatArray, now_epoch: int, now_temp: float, minutes: int
) -> float | None:
    """°F per hour from the last reading at or before ``minutes`` earlier to the latest one."""
    earlier = observed <= now_epoch - minutes * 60
    if not earlier.any():
        return None
    index = int(np.flatnonzero(earlier)[np.argmax(observed[earlier])])
    hours = (now_epoch - int(observed[index])) / 3600
    return float((now_temp - temps[index]) / hours)


def checkpoint_features(
    series: ObservationSeries,
    station: Station,
    climate_date: date,
    checkpoint_at: datetime,
    running_extreme_f: int,
    running_extreme_f_precise: float | None,
    running_extreme_is_tgroup: bool | None,
    forecast_high_f: float | None = None,
    forecast_low_f: float | None = None,
) -> dict[str, float | str | None]:
    """The model features of one station x contract x checkpoint.

    Args:
        series: the station's readings; only those published by ``checkpoint_at`` are read.
        station: the station (its latitude/longitude give the sunset).
        climate_date: the climate date of the checkpoint (local standard time).
        checkpoint_at: the aware checkpoint instant.
        running_extreme_f: the contract's running extreme, whole °F.
        running_extreme_f_precise: the same extreme in precise °F (None when unknown).
        running_extreme_is_tgroup: whether it comes from a T group (``extreme_is_tgroup``).
        forecast_high_f: the day's forecast high as published by the checkpoint, or None.
        forecast_low_f: the forecast low likewise, or None.

    Returns:
        One value per name of ``FEATURE_NAMES`` (None = unknown).
    """
    start, _ = climate_day_window(climate_date, station)
    now_epoch = int(checkpoint_at.timestamp())
    # readings older than the longest window plus an hour say nothing about "now"
    lookback = (max(SLOPE_WINDOWS_MINUTES) + 60) * 60
    window = series.published_between(now_epoch - lookback, now_epoch)
    observed = series.observed_epoch[window]
    temps = series.temp_f[window]
    dewpoints = series.dewpoint_f[window]
    recent = (observed > now_epoch - lookback) & ~np.isnan(temps)
    temp_now = slopes = age = None
    if recent.any():
        latest = int(np.flatnonzero(recent)[np.argmax(observed[recent])])
        latest_epoch = int(observed[latest])
        temp_now = float(temps[latest])
        age = (now_epoch - latest_epoch) / 60
        slopes = [
            _slope_f_per_hour(observed[recent], temps[recent], latest_epoch, temp_now, minutes)
            for minutes in SLOPE_WINDOWS_MINUTES
        ]
    has_dewpoint = recent & ~np.isnan(dewpoints)
    dewpoint = None
    if has_dewpoint.any():
        dewpoint = float(dewpoints[np.flatnonzero(has_dewpoint)[np.argmax(observed[has_dewpoint])]])
    sunset = sunset_at(climate_date, station.latitude, station.longitude)
    values: dict[str, float | str | None] = {
        "station_icao": station.icao,
        "checkpoint_minute": (now_epoch - start.timestamp()) / 60,
        "day_of_year": float(climate_date.timetuple().tm_yday),
        "running_extreme_f": float(running_extreme_f),
        "extreme_is_tgroup": None
        if running_extreme_is_tgroup is None
        else float(running_extreme_is_tgroup),
        "extreme_precise_minus_whole_f": None
        if running_extreme_f_precise is None
        else running_extreme_f_precise - running_extreme_f,
        "temp_now_minus_extreme_f": None if temp_now is None else temp_now - running_extreme_f,
        "dewpoint_f": dewpoint,
        "dewpoint_depression_f": None
        if dewpoint is None or temp_now is None
        else temp_now - dewpoint,
        "observation_age_minutes": age,
        "hours_to_sunset": (sunset - checkpoint_at).total_seconds() / 3600,
        "forecast_high_minus_extreme_f": None
        if forecast_high_f is None
        else forecast_high_f - running_extreme_f,
        "forecast_low_minus_extreme_f": None
        if forecast_low_f is None
        else forecast_low_f - running_extreme_f,
    }
    for minutes, slope in zip(SLOPE_WINDOWS_MINUTES, slopes or [None] * 3, strict=True):
        values[f"temp_slope_{minutes}m_f_per_h"] = slope
    return {name: values[name] for name in FEATURE_NAMES}
