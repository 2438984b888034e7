"""Simulated Visual Crossing forecasts as issued: Timeline JSON for every sample day, leads 0..3.

One document per station and basis date ``D`` (a ``forecastBasisDate`` answer for the station's
lat,lon), covering the civil days ``D..D+3`` inside the sample window, hour by hour. Each hour is
the simulated truth at that instant (``truth.day_truth``) plus an error that blends the day's low
error (at night) into its high error (mid-afternoon); the errors are normal with a spread that
grows with lead (``LEAD_ERROR_SD_F``), drawn per (station, target day, lead), so any window
reproduces the same values. Every document is ``data_source='simulated'`` and goes through
the real parser (``pipelines.visual_crossing.parsers``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import numpy as np

from adapters.visual_crossing.client import QueryKind, TimelineQuery
from domain.climate_day import climate_date
from domain.stations import Station
from pipelines.documents import RawDocument
from pipelines.sample.seeding import rng_for
from pipelines.sample.truth import day_truth

# Error spread (°F, one standard deviation) of the forecast high and low by lead in days.
LEAD_ERROR_SD_F = (2.5, 3.5, 4.5, 5.5)
_WARMEST_HOUR = 15.0  # local standard hour where an hour's error is the day's high error


def _errors(icao: str, target: date, lead: int) -> tuple[float, float]:
    """(high error, low error) °F of the forecast for ``target`` issued ``lead`` days before."""
    z = rng_for("vc-forecast", icao, target.isoformat(), lead).standard_normal(2)
    sd = LEAD_ERROR_SD_F[lead]
    return float(sd * z[0]), float(sd * z[1])


@dataclass(frozen=True)
class _CivilDay:
    """The truth of one civil day hour by hour (shared by the four leads that forecast it)."""

    epochs: list[int]
    clock: list[str]
    temp: np.ndarray
    dew: np.ndarray
    weight: np.ndarray  # 0 at night .. 1 mid-afternoon: how much of the high error an hour takes


@lru_cache(maxsize=64)
def _civil_day(station: Station, target: date) -> _CivilDay:
    start = datetime.combine(target, time(0), tzinfo=station.zone).astimezone(UTC)
    end = datetime.combine(target + timedelta(days=1), time(0), tzinfo=station.zone)
    epochs, clock, temp, dew, lst_hours = [], [], [], [], []
    at = start
    while at < end:
        truth = day_truth(station, climate_date(at, station))
        minute = min(int((at - truth.start_utc).total_seconds() // 60), 1439)
        epochs.append(int(at.timestamp()))
        clock.append(at.astimezone(station.zone).strftime("%H:%M:%S"))
        temp.append(truth.temp_f[minute])
        dew.append(truth.dew_f[minute])
        lst_hours.append(minute // 60)
        at += timedelta(hours=1)
    weight = (1 + np.cos(2 * np.pi * (np.array(lst_hours) - _WARMEST_HOUR) / 24)) / 2
    return _CivilDay(epochs, clock, np.array(temp), np.array(dew), weight)


def _day(station: Station, target: date, lead: int) -> dict[str, object]:
    """One Timeline day object (with its hours) of a forecast issued ``lead`` days ahead."""
    high_error, low_error = _errors(station.icao, target, lead)
    civil = _civil_day(station, target)
    error = low_error + (high_error - low_error) * civil.weight
    temps = np.round(civil.temp + error, 1).tolist()
    dews = np.round(np.minimum(civil.dew, civil.temp) + error, 1).tolist()
    hours = [
        {"datetime": clock, "datetimeEpoch": epoch, "temp": temp, "dew": dew, "source": "fcst"}
        for clock, epoch, temp, dew in zip(civil.clock, civil.epochs, temps, dews, strict=True)
    ]
    return {
        "datetime": target.isoformat(),
        "datetimeEpoch": civil.epochs[0],
        "tempmax": max(temps),
        "tempmin": min(temps),
        "temp": round(sum(temps) / len(temps), 1),
        "source": "fcst",
        "hours": hours,
    }


def forecast_documents(
    stations: Sequence[Station], days: Sequence[date]
) -> Iterator[tuple[RawDocument, TimelineQuery, datetime]]:
    """Forecast documents for every sample day and lead 0..3.

    Args:
        stations: stations to simulate.
        days: consecutive sample dates.

    Yields:
        (document, the historical-forecast query it answers, its fetch time = the basis
        date's start, so re-runs are byte-identical).
    """
    first, last = days[0], days[-1]
    ahead = len(LEAD_ERROR_SD_F) - 1
    for station in stations:
        basis = first - timedelta(days=ahead)
        while basis <= last:
            targets = [
                basis + timedelta(days=lead)
                for lead in range(ahead + 1)
                if first <= basis + timedelta(days=lead) <= last
            ]
            query = TimelineQuery(
                QueryKind.historical_forecast,
                station,
                basis,
                basis + timedelta(days=ahead),
                basis_date=basis,
            )
            offset = datetime.combine(basis, time(12), tzinfo=station.zone).utcoffset()
            body = {
                "queryCost": len(targets),
                "latitude": station.latitude,
                "longitude": station.longitude,
                "resolvedAddress": f"{station.latitude},{station.longitude}",
                "address": f"{station.latitude},{station.longitude}",
                "timezone": station.iana_timezone,
                "tzoffset": offset.total_seconds() / 3600 if offset else 0.0,
                "days": [_day(station, t, (t - basis).days) for t in targets],
            }
            location = (
                "simulated://weather.visualcrossing.com/timeline"
                f"{query.path()}?forecastBasisDate={basis.isoformat()}&include=days,hours"
            )
            fetched_at = datetime.combine(basis, time(0), tzinfo=station.zone).astimezone(UTC)
            yield (
                RawDocument(
                    json.dumps(body, separators=(",", ":")), location, "simulated", "sample"
                ),
                query,
                fetched_at,
            )
            basis += timedelta(days=1)
