"""The registry: one list of stations, read from the dbt seed."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.stations import (
    UnknownStationError,
    load_stations,
    station_by_iem_id,
    station_by_series,
)


def test_seven_settlement_stations() -> None:
    icaos = {s.icao for s in load_stations()}
    assert icaos == {"KMDW", "KNYC", "KMIA", "KLAX", "KAUS", "KDEN", "KPHL"}


def test_lookups_agree() -> None:
    for station in load_stations():
        assert station_by_iem_id(station.iem_asos_id) is station
        assert station_by_iem_id(station.icao) is station
        assert station_by_series(station.high_series_ticker) == (station, "HIGH")
        assert station_by_series(station.low_series_ticker) == (station, "LOW")
        assert station_by_series(station.legacy_high_series_ticker) == (station, "HIGH")
        # Standard offsets are whole hours west of UTC for every US station here.
        assert -8 <= station.std_utc_offset_hours <= -5


def test_philadelphia_series_is_phil_and_chicago_is_midway() -> None:
    assert station_by_series("KXHIGHPHIL")[0].icao == "KPHL"
    assert station_by_series("KXHIGHCHI")[0].icao == "KMDW"
    with pytest.raises(UnknownStationError):
        station_by_series("KXHIGHPHL")


def test_unknown_station() -> None:
    with pytest.raises(UnknownStationError, match="ORD"):
        station_by_iem_id("ORD")


def test_every_standard_offset_is_its_zones_january_offset() -> None:
    # January is standard time in every northern-hemisphere zone; a wrong seed offset would
    # shift every climate day at that station by an hour.
    january = datetime(2025, 1, 15, 12, tzinfo=UTC)
    for station in load_stations():
        offset = january.astimezone(ZoneInfo(station.iana_timezone)).utcoffset()
        assert offset == timedelta(hours=station.std_utc_offset_hours), station.icao
        assert station.standard_zone.utcoffset(None) == offset, station.icao
