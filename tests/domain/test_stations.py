"""The registry: one list of stations, read from the dbt seed."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.stations import (
    UnknownStationError,
    default_stations,
    load_stations,
    station_by_iem_id,
    station_by_series,
)


def test_the_seven_of_the_design_trade_by_default() -> None:
    icaos = {s.icao for s in default_stations()}
    assert icaos == {"KMDW", "KNYC", "KMIA", "KLAX", "KAUS", "KDEN", "KPHL"}
    assert all(s.trade_by_default == (s.icao in icaos) for s in load_stations())


def test_registry_covers_the_newer_kxhight_series() -> None:
    cities = {"ATL", "BOS", "DC", "DAL", "HOU", "PHX", "SEA", "SFO", "MIN", "OKC"}
    for city in cities:
        high, contract = station_by_series(f"KXHIGHT{city}")
        assert contract == "HIGH"
        assert station_by_series(f"KXLOWT{city}") == (high, "LOW")
        # no legacy name, not traded unless named, and no rules_primary seen yet
        assert high.legacy_high_series_ticker is None
        assert high.series_tickers == (f"KXHIGHT{city}", f"KXLOWT{city}")
        assert not high.trade_by_default
    assert station_by_series("KXHIGHTATL")[0].icao == "KATL"
    assert station_by_series("kxhightphx")[0].std_utc_offset_hours == -7


def test_every_series_names_one_station() -> None:
    tickers = [t for s in load_stations() for t in s.series_tickers]
    assert len(tickers) == len(set(tickers))
    assert len({s.iem_asos_id for s in load_stations()}) == len(load_stations())


def test_coordinates_are_in_the_contiguous_us() -> None:
    for station in load_stations():
        assert 24 < station.latitude < 50, station.icao
        assert -125 < station.longitude < -66, station.icao


def test_lookups_agree() -> None:
    for station in load_stations():
        assert station_by_iem_id(station.iem_asos_id) is station
        assert station_by_iem_id(station.icao) is station
        assert station_by_series(station.high_series_ticker) == (station, "HIGH")
        assert station_by_series(station.low_series_ticker) == (station, "LOW")
        if station.legacy_high_series_ticker is not None:
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
