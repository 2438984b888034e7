"""The one IEM row rule: which rows are readings, and the reason for the others."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.observations import (
    ObservationError,
    is_missing,
    observation_row,
    offset_valid_at,
    reading,
    station_icao,
)

METAR = "KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 RMK AO2 SLP171 T02560178"
AT = datetime(2026, 8, 21, 19, 51, tzinfo=UTC)


def _row(**fields: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "station": "NYC",
        "valid": "2026-08-21 19:51",
        "tmpf": "78.08",
        "dwpf": "64.04",
        "metar": METAR,
    }
    row.update(fields)
    return row


def test_a_good_row_keeps_what_it_says() -> None:
    got = observation_row(**_row())
    assert (got.station_icao, got.valid_at) == ("KNYC", AT)
    assert (got.temp_f, got.dewpoint_f, got.metar_text) == (
        Decimal("78.08"),
        Decimal("64.04"),
        METAR,
    )
    assert got.metar is not None and got.metar.temp_c_tenths == Decimal("25.6")
    obs = got.as_observation(3)
    assert (obs.station_icao, obs.observed_at, obs.report_type) == ("KNYC", AT, 3)
    assert (obs.temp_c_tenths, obs.temp_f_reported, obs.temp_c_whole) == (
        Decimal("25.6"),
        Decimal("78.08"),
        26,
    )


def test_missing_markers_are_absent_values() -> None:
    assert all(is_missing(raw) for raw in (None, "", " ", "M", " m ", "NULL", "None", "nan"))
    assert not is_missing("0") and not is_missing("MM")
    got = observation_row(**_row(tmpf="71", dwpf="", metar=" NULL "))
    assert (got.temp_f, got.dewpoint_f, got.metar, got.metar_text) == (71, None, None, None)
    metar_only = observation_row(**_row(tmpf="M", dwpf="M"))
    assert metar_only.temp_f is None and metar_only.as_observation(3).temp_f_whole == 78


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"station": None}, "station is missing"),
        ({"station": " M "}, "station is missing"),
        ({"station": "XXX"}, "unknown station 'XXX' (not in domain/data/stations.csv)"),
        ({"valid": "2026-08-21T19:51"}, "valid time '2026-08-21T19:51' is not a timestamp"),
        ({"valid": "2026-02-30 19:51"}, "is not a timestamp"),
        ({"valid": None}, "valid time '' is not a timestamp"),
        ({"tmpf": "warm"}, "tmpf 'warm' is not a number"),
        ({"tmpf": "Infinity"}, "tmpf 'Infinity' is not a number"),
        ({"dwpf": "-nan"}, "dwpf '-nan' is not a number"),
        ({"tmpf": "7_8"}, "tmpf '7_8' is not a number"),
        ({"tmpf": "1e3"}, "tmpf '1e3' is not a number"),
        ({"tmpf": "\u0667\u0668"}, "is not a number"),
        ({"metar": "KNYC"}, "unreadable METAR"),
        ({"metar": METAR.replace("KNYC", "KMDW")}, "METAR station KMDW disagrees with station"),
        (
            {"valid": "2026-08-21 21:51"},
            "METAR time 211951Z disagrees with valid 2026-08-21 21:51Z",
        ),
        ({"tmpf": "M", "metar": ""}, "no temperature"),
        ({"tmpf": "M", "metar": "KNYC 211951Z AUTO 04003KT 10SM A3006"}, "no temperature"),
    ],
)
def test_rows_that_are_not_readings_say_why(fields: dict[str, str | None], reason: str) -> None:
    with pytest.raises(ObservationError) as refused:
        observation_row(**_row(**fields))
    assert reason in str(refused.value)


def test_the_first_failure_is_the_reason() -> None:
    # unknown station and bad time and bad number: the station is checked first
    with pytest.raises(ObservationError, match="unknown station"):
        observation_row(**_row(station="XXX", valid="soon", tmpf="warm"))
    with pytest.raises(ObservationError, match="valid time"):
        observation_row(**_row(valid="soon", tmpf="warm"))


def test_metar_time_within_the_tolerance_and_the_icao_id() -> None:
    # a corrected report 20 minutes off still belongs to the row; KNYC and NYC are one station
    got = observation_row(**_row(station="KNYC", valid="2026-08-21 20:11"))
    assert got.station_icao == "KNYC" and got.valid_at.minute == 11
    assert station_icao(" NYC ") == "KNYC"


def test_hourly_exports_carry_an_offset_and_are_read_as_utc() -> None:
    got = observation_row(**_row(valid="2026-08-21 15:51:00-0400"), valid_at=offset_valid_at)
    assert got.valid_at == AT and got.valid_at.tzinfo is UTC
    with pytest.raises(ObservationError, match="not a timestamp"):
        observation_row(**_row(valid="2026-08-21 19:51:00"), valid_at=offset_valid_at)


def test_readings_keep_the_digits_written() -> None:
    assert reading("78.00", "tmpf") == Decimal("78.00") and str(reading("78.00", "tmpf")) == "78.00"
    assert reading(" -3.5 ", "tmpf") == Decimal("-3.5")
    assert reading("M", "tmpf") is None
    assert reading("+5", "tmpf") == 5 and reading(".5", "dwpf") == Decimal("0.5")
    assert reading("5.", "dwpf") == 5
