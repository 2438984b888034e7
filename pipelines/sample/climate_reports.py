"""Simulated NWS climate reports: IEM ``json/cli.py`` (with simulated corrections) and
``json/cf6.py`` documents, consistent with the simulated observations' day truth."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from domain.stations import Station
from pipelines.documents import RawDocument
from pipelines.sample.profiles import climate_profile
from pipelines.sample.truth import MINUTES_PER_DAY, DayTruth, day_truth
from pipelines.sample.weather import round_div, simulated_document, simulated_location


def _clock_12h(minute: int) -> str:
    """``1159 PM`` style local-standard time of a minute of the day (the CLI's format)."""
    hour, mins = divmod(minute, 60)
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}{mins:02d} {suffix}"


def cli_product_id(station: Station, truth: DayTruth, corrected: bool = False) -> str:
    """The NWS product id of a day's final CLI (``202503020636-KLOT-CDUS43-CLIMDW``).

    The first issuance goes out the next morning at the station's usual time (LST, jittered);
    a correction (``-CCA``, as NWS marks it) follows that afternoon.
    """
    profile = climate_profile(station)
    if corrected:
        minute = MINUTES_PER_DAY + truth.draws.correction_minute
    else:
        minute = MINUTES_PER_DAY + max(profile.cli_issue_minute + truth.draws.cli_issue_jitter, 5)
    issued = truth.start_utc + timedelta(minutes=minute)
    suffix = "-CCA" if corrected else ""
    return (
        f"{issued:%Y%m%d%H%M}-K{station.wfo}-{profile.awips_header}-{station.cli_product}{suffix}"
    )


@dataclass(frozen=True)
class CliIssue:
    """One CLI issuance of a day as the sample publishes it."""

    product_id: str
    high_f: int
    low_f: int


def cli_issues(station: Station, truth: DayTruth) -> list[CliIssue]:
    """The first CLI issuance, plus a corrected one (~1% of days) with a value moved by 1 °F.

    The market settles on the first issuance (the CLI visible at settlement), as Kalshi does.
    """
    issues = [CliIssue(cli_product_id(station, truth), truth.high_f, truth.low_f)]
    draws = truth.draws
    if draws.correction == "high":
        issues.append(
            CliIssue(
                cli_product_id(station, truth, True),
                truth.high_f + draws.correction_delta,
                truth.low_f,
            )
        )
    elif draws.correction == "low":
        issues.append(
            CliIssue(
                cli_product_id(station, truth, True),
                truth.high_f,
                truth.low_f + draws.correction_delta,
            )
        )
    return issues


def _normals(station: Station, day: date) -> tuple[int, int]:
    profile = climate_profile(station)
    season = math.cos(
        2 * math.pi * (day.timetuple().tm_yday + 0.5 - profile.peak_day_of_year) / 365.25
    )
    mean = profile.annual_mean + profile.seasonal_amplitude * season
    half_range = (profile.diurnal_range + profile.diurnal_range_seasonal * season) / 2
    return round(mean + half_range), round(mean - half_range)


def cli_documents(stations: Sequence[Station], days: Sequence[date]) -> Iterator[RawDocument]:
    """json/cli.py documents: one per station and year, every issuance a result row."""
    for station in stations:
        for year, year_days in groupby(days, key=lambda d: d.year):
            results = []
            for day in year_days:
                truth = day_truth(station, day)
                high_normal, low_normal = _normals(station, day)
                for issue in cli_issues(station, truth):
                    results.append(
                        {
                            "station": station.cli_station_id,
                            "valid": day.isoformat(),
                            "wfo": station.wfo,
                            "name": station.station_name.upper(),
                            "product": issue.product_id,
                            "link": simulated_location("api/1/nwstext", issue.product_id),
                            "high": issue.high_f,
                            "high_time": _clock_12h(truth.high_minute),
                            "high_normal": high_normal,
                            "high_depart": issue.high_f - high_normal,
                            "low": issue.low_f,
                            "low_time": _clock_12h(truth.low_minute),
                            "low_normal": low_normal,
                            "low_depart": issue.low_f - low_normal,
                            "precip": 0.0,
                            "snow": "M",
                        }
                    )
            payload = {"results": results, "generated_at": f"{year + 1}-01-01T00:00:00Z"}
            query = f"station={station.cli_station_id}&year={year}"
            yield simulated_document(json.dumps(payload), simulated_location("json/cli.py", query))


def cf6_product_id(station: Station, truth: DayTruth) -> str:
    """The CF6 issued the morning after the day (``...-CXUS53-CF6MDW``), about 07:10 LST."""
    issued = truth.start_utc + timedelta(minutes=MINUTES_PER_DAY + 430)
    code = station.cli_product.removeprefix("CLI")
    header = "CXUS5" + climate_profile(station).awips_header[-1]
    return f"{issued:%Y%m%d%H%M}-K{station.wfo}-{header}-CF6{code}"


def cf6_documents(stations: Sequence[Station], days: Sequence[date]) -> Iterator[RawDocument]:
    """json/cf6.py documents: one per station and year; values equal the latest CLI."""
    for station in stations:
        for year, year_days in groupby(days, key=lambda d: d.year):
            results = []
            for day in year_days:
                truth = day_truth(station, day)
                latest = cli_issues(station, truth)[-1]
                avg = round_div(latest.high_f + latest.low_f, 2)
                high_normal, low_normal = _normals(station, day)
                results.append(
                    {
                        "station": station.cli_station_id,
                        "valid": day.isoformat(),
                        "wfo": station.wfo,
                        "name": station.station_name.upper(),
                        "product": cf6_product_id(station, truth),
                        "high": latest.high_f,
                        "low": latest.low_f,
                        "avg_temp": avg,
                        "dep_temp": avg - round_div(high_normal + low_normal, 2),
                        "hdd": max(0, 65 - avg),
                        "cdd": max(0, avg - 65),
                        "precip": 0.0,
                        "snow": 0.0,
                    }
                )
            payload = {"results": results, "generated_at": f"{year + 1}-01-01T00:00:00Z"}
            query = f"station={station.cli_station_id}&year={year}"
            yield simulated_document(json.dumps(payload), simulated_location("json/cf6.py", query))
