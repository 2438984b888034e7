"""The simulated station-year behind the benchmark files: seasonal + diurnal cycle + a smooth
daily anomaly + 5-minute noise, on the 5-minute grid of local standard time, and the CLI extremes.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from bench.stations import bench_stations
from domain.stations import Station

STEP_MINUTES = 5
STEPS_PER_DAY = 24 * 60 // STEP_MINUTES


# Rough climatology per station (°F): annual mean, seasonal half-range, diurnal half-range.
CLIMATE: dict[str, tuple[float, float, float]] = {
    "KMDW": (51.0, 23.0, 9.0),
    "KNYC": (56.0, 21.0, 7.5),
    "KMIA": (77.0, 7.0, 6.0),
    "KLAX": (64.0, 5.0, 6.0),
    "KAUS": (69.0, 16.0, 10.0),
    "KDEN": (50.0, 20.0, 13.0),
    "KPHL": (56.0, 21.0, 8.0),
}


@dataclass(frozen=True)
class GenerateConfig:
    """What to generate.

    Attributes:
        station_years: how many station-years (stations round-robin, then earlier years).
        stations: how many stations (``bench.stations``: the seven real ones, then synthetic
            copies); None = seven, or one per ten station-years beyond 70 (700 = 70 x 10).
        last_year: the most recent calendar year generated.
        candle_days: candles for climate dates in the last this many days up to the end of
            ``last_year`` (0 = none): Kalshi's weather history is short, observations are long.
        candle_step_minutes: one 1-minute candle every this many minutes of the climate day.
        seed: RNG seed; the same config gives the same files.
        days_per_year: only the first this many days of each year (tests); None = all.
    """

    station_years: int = 70
    stations: int | None = None
    last_year: int = 2025
    candle_days: int = 365
    candle_step_minutes: int = 60
    seed: int = 20261121
    days_per_year: int | None = None

    @property
    def station_count(self) -> int:
        """The stations simulated (``stations``, or its default)."""
        if self.stations is not None:
            return self.stations
        return max(7, -(-self.station_years // 10))


@dataclass(frozen=True)
class PlannedYear:
    """One station-year to generate; ``climate_icao`` names the climate it simulates."""

    station: Station
    climate_icao: str
    year: int


def plan(config: GenerateConfig) -> list[PlannedYear]:
    """The station-years of ``config``: every station per year, back from ``last_year``."""
    stations = bench_stations(config.station_count)
    return [
        PlannedYear(*stations[i % len(stations)], config.last_year - i // len(stations))
        for i in range(config.station_years)
    ]


def _erf(x: np.ndarray) -> np.ndarray:
    """Vectorised erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    sign = np.sign(x)
    ax = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * ax)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-ax * ax))


def norm_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


def half_up(x: np.ndarray) -> np.ndarray:
    """Round halves away from zero (METAR/NWS rounding), as int64."""
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int64)


def _smooth_noise(rng: np.random.Generator, n: int, sd: float, span: int) -> np.ndarray:
    """Correlated noise: white noise through an exponential kernel of ``span`` steps."""
    kernel = np.exp(-np.arange(4 * span) / span)
    kernel /= np.sqrt(np.sum(kernel**2))
    white = rng.normal(0.0, sd, n + kernel.size)
    return np.convolve(white, kernel, mode="valid")[:n]


@dataclass
class StationYear:
    """One simulated station-year on the 5-minute grid of local standard time."""

    station: Station
    year: int
    days: int
    day_start_utc: datetime
    temp_f_whole: np.ndarray  # int64, whole °F at every 5-minute step
    dew_f_whole: np.ndarray
    routine_temp_f: np.ndarray  # int64, whole °F at hh:53 LST, one per hour
    routine_dew_f: np.ndarray
    cli_high: np.ndarray  # int64 per day
    cli_low: np.ndarray
    forecast_high: np.ndarray  # float per day: what the market expected at the open
    forecast_low: np.ndarray


def simulate(
    station: Station,
    year: int,
    rng: np.random.Generator,
    days_limit: int | None = None,
    climate_icao: str | None = None,
) -> StationYear:
    """Simulate one station-year of whole-°F readings and the CLI extremes.

    Args:
        station: the station (its ids and time zone).
        year: the calendar year.
        rng: the random source.
        days_limit: only the first this many days (toy runs).
        climate_icao: whose climatology (``CLIMATE``) to simulate; None = the station's own.

    Returns:
        The station-year.
    """
    days = 366 if calendar.isleap(year) else 365
    days = min(days, days_limit) if days_limit else days
    n = days * STEPS_PER_DAY
    mean, seasonal_amp, diurnal_amp = CLIMATE.get(climate_icao or station.icao, (55.0, 15.0, 8.0))
    t_days = np.arange(n) / STEPS_PER_DAY
    hour = (np.arange(n) % STEPS_PER_DAY) / (STEPS_PER_DAY / 24)
    seasonal = mean - seasonal_amp * np.cos(2 * np.pi * (t_days - 20) / 365.25)
    diurnal_scale = diurnal_amp * (1 + 0.25 * rng.normal(size=days)).clip(0.3, 2.0)
    diurnal = np.repeat(diurnal_scale, STEPS_PER_DAY) * np.cos(2 * np.pi * (hour - 15) / 24)
    anomaly_daily = _smooth_noise(rng, days + 2, 4.5, 3)
    anomaly = np.interp(t_days, np.arange(-1, days + 1) + 0.5, anomaly_daily)
    temp = seasonal + diurnal + anomaly + _smooth_noise(rng, n, 0.7, 12)
    spread = 4 + 6 * np.abs(_smooth_noise(rng, n, 1.0, 288))
    temp_f_whole = half_up(temp)
    dew_f_whole = half_up(temp - spread)

    # Routine reports at hh:53 LST: between the :50 and :55 readings.
    idx50 = np.arange(days * 24) * 12 + 10
    routine = 0.4 * temp[idx50] + 0.6 * temp[idx50 + 1]
    routine_dew = 0.4 * (temp - spread)[idx50] + 0.6 * (temp - spread)[idx50 + 1]
    daily = temp_f_whole.reshape(days, STEPS_PER_DAY)
    routine_whole = half_up(routine)
    daily_routine = routine_whole.reshape(days, 24)
    high = np.maximum(daily.max(axis=1), daily_routine.max(axis=1))
    low = np.minimum(daily.min(axis=1), daily_routine.min(axis=1))
    high = high + (rng.random(days) < 0.35)  # the official 2-minute peak between samples
    low = low - (rng.random(days) < 0.30)
    start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=station.std_utc_offset_hours)
    return StationYear(
        station=station,
        year=year,
        days=days,
        day_start_utc=start,
        temp_f_whole=temp_f_whole,
        dew_f_whole=dew_f_whole,
        routine_temp_f=routine_whole,
        routine_dew_f=half_up(routine_dew),
        cli_high=high.astype(np.int64),
        cli_low=low.astype(np.int64),
        forecast_high=high + rng.normal(0, 2.5, days),
        forecast_low=low + rng.normal(0, 2.5, days),
    )
