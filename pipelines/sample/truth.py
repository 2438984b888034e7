"""Simulated weather truth: a minute-level thermometer per station and climate day.

Everything here is a pure function of (station, climate date): each day's random draws come
from their own seed, and a day's curve only reads the draws of a few neighbouring days (the
AR(1) anomaly, fronts that started earlier, the next day's anomaly to interpolate towards), so
any window of days reproduces exactly the same values whatever the run's start and end.

Model, in °F, for minute ``m`` (0..1439) of the local-standard climate day:
  seasonal mean (cosine over the year)
  + synoptic anomaly (AR(1) across days, interpolated between local noons)
  + diurnal cycle (min near sunrise, max mid-afternoon; range shrinks on cloudy days)
  + fronts (~10% of days: a sharp step that then relaxes over days, timed so the day's
    extreme falls near a midnight)
  + summer thunderstorm outflow drops
  + minute-scale noise (smoothed white noise).
The official (CLI) values follow ASOS: 2-minute averages held as whole °F, max/min over the day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np

from domain.climate_day import climate_day_window
from domain.stations import Station
from pipelines.sample.profiles import ClimateProfile, climate_profile
from pipelines.sample.seeding import rng_for

MINUTES_PER_DAY = 1440
_ANOMALY_TERMS = 25  # phi**25 < 1e-3 for phi <= 0.75: the truncated AR(1) sum is exact enough
_FRONT_RELAX_MINUTES = 2880.0
_FRONT_WIDTH_MINUTES = 45.0
_NOISE_KERNEL = np.exp(-np.arange(120) / 12.0)
_NOISE_KERNEL /= np.sqrt(np.sum(_NOISE_KERNEL**2))  # unit variance after convolution
_MINUTE = np.arange(MINUTES_PER_DAY, dtype=float)


@dataclass(frozen=True)
class DayDraws:
    """The random draws of one station-day (every other value is derived from these)."""

    eps: float
    cloud: float
    front_minute: float | None
    front_delta: float
    storm_minute: float | None
    storm_drop: float
    dew_anomaly: float
    forecast_high_z: float
    forecast_low_z: float
    cli_issue_jitter: int
    correction: str | None
    correction_delta: int
    correction_minute: int
    noise_seed: int


@dataclass(frozen=True)
class DayTruth:
    """The simulated truth of one station and climate day.

    Attributes:
        station: the station.
        day: the climate date (local standard time).
        start_utc: the UTC instant of local-standard midnight starting the day.
        temp_f: minute-level air temperature (°F), index = minute after LST midnight.
        dew_f: minute-level dew point (°F).
        whole2_f: ASOS 2-minute average ending at each minute, held as whole °F.
        high_f / low_f: the official (CLI) high and low: max/min of ``whole2_f``.
        high_minute / low_minute: first minute the high / low was reached.
        front_minute: minute of a frontal passage on this day, if any.
        storm_minute: minute of a thunderstorm outflow drop, if any.
        forecast_high_f / forecast_low_f: the day-ahead forecast (noisy) of high and low.
        cloud: cloudiness factor scaling the diurnal range (low = overcast).
        draws: the day's raw random draws.
    """

    station: Station
    day: date
    start_utc: datetime
    temp_f: np.ndarray
    dew_f: np.ndarray
    whole2_f: np.ndarray
    high_f: int
    low_f: int
    high_minute: int
    low_minute: int
    front_minute: int | None
    storm_minute: int | None
    forecast_high_f: float
    forecast_low_f: float
    cloud: float
    draws: DayDraws


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Whole numbers, halves away from zero (NWS rounding; numpy's round is banker's)."""
    return (np.sign(values) * np.floor(np.abs(values) + 0.5)).astype(np.int64)


def _season(day_of_year: float, peak: int) -> float:
    """+1 at the warm peak, -1 half a year away."""
    return math.cos(2 * math.pi * (day_of_year - peak) / 365.25)


@lru_cache(maxsize=16384)
def day_draws(icao: str, day: date) -> DayDraws:
    """The random draws of one station-day, from its own seed (cached: neighbours reuse them)."""
    rng = rng_for("weather-day", icao, day.isoformat())
    uniforms = rng.random(12)
    normals = rng.standard_normal(6)
    # Every uniform/normal is drawn up front, whatever the profile: retuning a probability
    # changes which days get a front or a storm, never the other draws of the day.
    front_kind = uniforms[0]
    front_minute: float | None = None
    front_delta = 0.0
    profile = _profile_by_icao(icao)
    summer = max(0.0, _season(day.timetuple().tm_yday, 200))
    if front_kind < profile.front_probability:
        if uniforms[1] < 0.7:
            # Cold front before dawn: the day's high is the warm air at 00:00.
            front_minute = 30.0 + uniforms[2] * 390.0
            front_delta = -(12.0 + 8.0 * uniforms[3]) * profile.front_scale
        else:
            # Warm front in the evening: the day's high comes near 23:59.
            front_minute = 1050.0 + uniforms[2] * 360.0
            front_delta = (9.0 + 6.0 * uniforms[3]) * profile.front_scale
    storm_minute: float | None = None
    storm_drop = 0.0
    if uniforms[4] < profile.convective_probability * summer:
        storm_minute = 750.0 + uniforms[5] * 330.0
        storm_drop = 5.0 + 9.0 * uniforms[6]
    cloud = float(np.clip(0.95 + 0.22 * normals[1], 0.45, 1.25))
    if front_minute is not None:
        cloud = 0.4  # overcast behind/ahead of the front keeps the diurnal swing small
    correction: str | None = None
    if uniforms[7] < 0.01:
        correction = "high" if uniforms[8] < 0.5 else "low"
    return DayDraws(
        eps=float(normals[0]),
        cloud=cloud,
        front_minute=front_minute,
        front_delta=float(front_delta),
        storm_minute=storm_minute,
        storm_drop=float(storm_drop),
        dew_anomaly=float(normals[2]),
        forecast_high_z=float(normals[3]),
        forecast_low_z=float(normals[4]),
        cli_issue_jitter=int(uniforms[9] * 31) - 15,
        correction=correction,
        correction_delta=1 if uniforms[10] < 0.5 else -1,
        correction_minute=int(780 + uniforms[11] * 360),
        noise_seed=int(rng.integers(0, 2**62)),
    )


@lru_cache(maxsize=64)
def _profile_by_icao(icao: str) -> ClimateProfile:
    from domain.stations import station_by_icao  # local: keeps the cache keyed on the id only

    return climate_profile(station_by_icao(icao))


@lru_cache(maxsize=8192)
def daily_anomaly(icao: str, day: date) -> float:
    """The synoptic anomaly of a day (°F): a truncated AR(1) sum of the daily shocks."""
    profile = _profile_by_icao(icao)
    phi = profile.anomaly_phi
    # Anomalies are larger in the cool season, as in real mid-latitude climates.
    sd = profile.anomaly_sd * (
        1 - 0.25 * _season(day.timetuple().tm_yday, profile.peak_day_of_year)
    )
    total = sum(
        phi**k * day_draws(icao, day - timedelta(days=k)).eps for k in range(_ANOMALY_TERMS)
    )
    return sd * math.sqrt(1 - phi * phi) * total


def _interpolate_daily(values: tuple[float, float, float]) -> np.ndarray:
    """Per-minute values from (yesterday, today, tomorrow) anchored at local noon."""
    before, today, after = values
    weights = (_MINUTE + 720.0) / 1440.0
    morning = before + (today - before) * weights
    evening = today + (after - today) * (weights - 1.0)
    return np.where(_MINUTE < 720.0, morning, evening)


def _diurnal_shape(min_minute: float, max_minute: float) -> np.ndarray:
    """-0.5 at the daily minimum, +0.5 at the maximum, half-cosines between (periodic)."""
    rising = (_MINUTE >= min_minute) & (_MINUTE < max_minute)
    up = -0.5 * np.cos(np.pi * (_MINUTE - min_minute) / (max_minute - min_minute))
    fall_length = MINUTES_PER_DAY - (max_minute - min_minute)
    phase = np.mod(_MINUTE - max_minute, MINUTES_PER_DAY) / fall_length
    # Cooling is fastest around sunset and slow before dawn.
    down = 0.5 * np.cos(np.pi * np.clip(phase, 0.0, 1.0) ** 0.7)
    return np.where(rising, up, down)


def _compute(station: Station, day: date) -> DayTruth:
    profile = climate_profile(station)
    icao = station.icao
    draws = day_draws(icao, day)
    doy = day.timetuple().tm_yday
    season = _season(doy + 0.5, profile.peak_day_of_year)
    seasonal_mean = profile.annual_mean + profile.seasonal_amplitude * season
    diurnal_range = profile.diurnal_range + profile.diurnal_range_seasonal * season

    yesterday, tomorrow = day - timedelta(days=1), day + timedelta(days=1)
    anomaly = _interpolate_daily(
        (
            daily_anomaly(icao, yesterday),
            daily_anomaly(icao, day),
            daily_anomaly(icao, tomorrow),
        )
    )
    cloud = _interpolate_daily(
        (day_draws(icao, yesterday).cloud, draws.cloud, day_draws(icao, tomorrow).cloud)
    )

    # Sunrise (in standard time) is ~45 minutes earlier at midsummer than at the equinoxes.
    min_minute = profile.hour_of_min * 60.0 - 45.0 * _season(doy, 172)
    shape = _diurnal_shape(min_minute, profile.hour_of_max * 60.0)
    temp = seasonal_mean + anomaly + diurnal_range * cloud * shape

    # Fronts of the previous three days still relax; tomorrow's pre-dawn front starts here.
    front_minute_today: int | None = None
    for offset in range(-3, 2):
        other = day_draws(icao, day + timedelta(days=offset))
        if other.front_minute is None:
            continue
        at = offset * MINUTES_PER_DAY + other.front_minute
        since = _MINUTE - at
        step = 1.0 / (1.0 + np.exp(-since / _FRONT_WIDTH_MINUTES))
        temp = temp + other.front_delta * step * np.exp(
            -np.maximum(since, 0.0) / _FRONT_RELAX_MINUTES
        )
        if offset == 0:
            front_minute_today = int(other.front_minute)

    storm_minute: int | None = None
    if draws.storm_minute is not None:
        since = _MINUTE - draws.storm_minute
        onset = np.clip(since / 15.0, 0.0, 1.0)
        recovery = np.exp(-np.maximum(since - 15.0, 0.0) / 100.0)
        temp = temp - draws.storm_drop * onset * recovery
        storm_minute = int(draws.storm_minute)

    noise_rng = np.random.default_rng(draws.noise_seed)
    white = noise_rng.standard_normal(MINUTES_PER_DAY + len(_NOISE_KERNEL) - 1)
    noise = np.convolve(white, _NOISE_KERNEL, mode="valid") * profile.minute_noise_sd
    slow_dew = np.convolve(
        noise_rng.standard_normal(MINUTES_PER_DAY + len(_NOISE_KERNEL) - 1), _NOISE_KERNEL, "valid"
    )
    temp = temp + noise

    depression = profile.dew_depression * (1.0 + 0.25 * draws.dew_anomaly)
    # Dew point follows the air mass, not the sun: the daily mean plus slow wiggles.
    dew = seasonal_mean + anomaly - max(depression, 1.0) + 0.6 * slow_dew
    dew = np.minimum(dew, temp - 0.2)

    avg2 = temp.copy()
    avg2[1:] = (temp[1:] + temp[:-1]) / 2.0
    whole2 = round_half_away(avg2)
    high_minute = int(np.argmax(whole2))
    low_minute = int(np.argmin(whole2))
    high = int(whole2[high_minute])
    low = int(whole2[low_minute])
    start_utc, _ = climate_day_window(day, station)
    return DayTruth(
        station=station,
        day=day,
        start_utc=start_utc,
        temp_f=temp,
        dew_f=dew,
        whole2_f=whole2,
        high_f=high,
        low_f=low,
        high_minute=high_minute,
        low_minute=low_minute,
        front_minute=front_minute_today,
        storm_minute=storm_minute,
        forecast_high_f=high + profile.forecast_sd * draws.forecast_high_z,
        forecast_low_f=low + profile.forecast_sd * draws.forecast_low_z,
        cloud=float(cloud[720]),
        draws=draws,
    )


@lru_cache(maxsize=64)
def day_truth(station: Station, day: date) -> DayTruth:
    """The simulated truth of one station-day (cached: weather and market passes share it)."""
    return _compute(station, day)


def iter_days(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
