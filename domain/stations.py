"""The station registry: every Kalshi daily temperature series and its settlement station.

The list is ``domain/data/stations.csv``, package data of ``domain`` (so an installed package and
the trader load it without the repo) and also the dbt seed ``stations`` (``seed-paths`` in
``dbt_project.yml`` includes ``domain/data``): one file for Python and SQL. Only the
``trade_by_default`` rows (the design's seven) are loaded, simulated and traded unless others are
named; ``settlement_verified`` says a series' ``rules_primary`` was seen naming the station.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import cache
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

REGISTRY_ENV = "KALSHI_WEATHER_STATIONS_DIR"
"""A folder whose ``stations.csv`` replaces the packaged registry (the benchmark's scale run of
synthetic stations); dbt_project.yml's ``seed-paths`` follows the same variable."""


class UnknownStationError(KeyError):
    """Raised when a station id, IEM id or series ticker is not in the registry."""


@dataclass(frozen=True)
class Station:
    """One settlement station as the registry (``domain/data/stations.csv``) describes it.

    ``legacy_high_series_ticker`` is None for series that never had a pre-``KX`` name.
    """

    icao: str
    iem_asos_id: str
    cli_station_id: str
    cli_product: str
    wfo: str
    city: str
    station_name: str
    iana_timezone: str
    std_utc_offset_hours: int
    high_series_ticker: str
    low_series_ticker: str
    legacy_high_series_ticker: str | None
    latitude: float
    longitude: float
    trade_by_default: bool
    settlement_verified: bool

    @property
    def zone(self) -> ZoneInfo:
        """The civil time zone (with daylight time)."""
        return ZoneInfo(self.iana_timezone)

    @property
    def standard_zone(self) -> timezone:
        """The fixed local-standard-time offset that defines the climate day."""
        return timezone(timedelta(hours=self.std_utc_offset_hours))

    @property
    def series_tickers(self) -> tuple[str, ...]:
        """Every Kalshi series settled on this station (current and legacy)."""
        current = (self.high_series_ticker, self.low_series_ticker)
        legacy = self.legacy_high_series_ticker
        return current if legacy is None else (*current, legacy)


@cache
def load_stations() -> tuple[Station, ...]:
    """Read the registry (``domain/data/stations.csv``, through ``importlib.resources``, or
    ``$KALSHI_WEATHER_STATIONS_DIR/stations.csv`` when that is set).

    Returns:
        The stations in file order.
    """
    override = os.environ.get(REGISTRY_ENV)
    source = (
        Path(override) / "stations.csv" if override else files("domain") / "data" / "stations.csv"
    )
    text = source.read_text(encoding="utf-8")
    stations = []
    for row in csv.DictReader(text.splitlines()):
        typed = {
            "std_utc_offset_hours": int(row["std_utc_offset_hours"]),
            "legacy_high_series_ticker": row["legacy_high_series_ticker"] or None,
            "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]),
            "trade_by_default": _flag(row["trade_by_default"]),
            "settlement_verified": _flag(row["settlement_verified"]),
        }
        stations.append(Station(**(row | typed)))
    return tuple(stations)


def _flag(text: str) -> bool:
    """A ``true``/``false`` cell of the registry (anything else is a broken file)."""
    if text not in ("true", "false"):
        raise ValueError(f"registry flag must be true or false, not {text!r}")
    return text == "true"


def default_stations() -> tuple[Station, ...]:
    """The stations loaded, simulated and traded when none are named (``trade_by_default``)."""
    return tuple(station for station in load_stations() if station.trade_by_default)


def station_by_icao(icao: str) -> Station:
    """Look a station up by ICAO id (``KMDW``); raises ``UnknownStationError``."""
    for station in load_stations():
        if station.icao == icao.upper():
            return station
    raise UnknownStationError(f"unknown station {icao!r}")


def station_by_iem_id(iem_id: str) -> Station:
    """Look a station up by its IEM asos id (``MDW``) or ICAO id; raises ``UnknownStationError``."""
    key = iem_id.strip().upper()
    for station in load_stations():
        if key in (station.iem_asos_id, station.icao):
            return station
    raise UnknownStationError(f"unknown IEM station {iem_id!r}")


def station_by_series(series_ticker: str) -> tuple[Station, str]:
    """Map a Kalshi series ticker to its station and contract type (``HIGH`` or ``LOW``)."""
    key = series_ticker.upper()
    for station in load_stations():
        if key in (station.high_series_ticker, station.legacy_high_series_ticker):
            return station, "HIGH"
        if key == station.low_series_ticker:
            return station, "LOW"
    raise UnknownStationError(f"unknown series {series_ticker!r}")
