"""The registry: one list of stations, read from the dbt seed."""

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
