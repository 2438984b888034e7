"""Climate days are local standard time all year, whatever the civil clock says."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.climate_day import climate_date, climate_day_window
from domain.stations import load_stations, station_by_icao
from tests.conftest import ClimateDayCase

NYC = station_by_icao("KNYC")
DEN = station_by_icao("KDEN")


@pytest.mark.parametrize(
    ("civil", "zone", "expected"),
    [
        # 00:40 EDT is 23:40 EST: the previous climate date.
        (datetime(2025, 7, 1, 0, 40), "America/New_York", date(2025, 6, 30)),
        # 01:00 EDT is midnight EST: the new climate date starts.
        (datetime(2025, 7, 1, 1, 0), "America/New_York", date(2025, 7, 1)),
        # In winter civil and standard time agree.
        (datetime(2025, 1, 15, 0, 10), "America/New_York", date(2025, 1, 15)),
        (datetime(2025, 1, 14, 23, 59), "America/New_York", date(2025, 1, 14)),
    ],
)
def test_climate_date_uses_standard_time(civil: datetime, zone: str, expected: date) -> None:
    assert climate_date(civil.replace(tzinfo=ZoneInfo(zone)), NYC) == expected


def test_dst_transition_days_are_24_hours_long() -> None:
    # Spring-forward and fall-back civil days are 23 and 25 hours; climate days stay 24.
    for day in (date(2025, 3, 9), date(2025, 11, 2)):
        start, end = climate_day_window(day, NYC)
        assert (end - start).total_seconds() == 86_400
        assert start == datetime(day.year, day.month, day.day, 5, tzinfo=UTC)


def test_window_matches_climate_date_at_edges() -> None:
    start, end = climate_day_window(date(2025, 11, 2), DEN)
    assert climate_date(start, DEN) == date(2025, 11, 2)
    assert climate_date(end, DEN) == date(2025, 11, 3)
    assert start.hour == 7


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        climate_date(datetime(2025, 1, 1), NYC)


def test_climate_date_and_checkpoint_minute_across_dst_for_every_zone(
    dst_transition_cases: list[ClimateDayCase],
) -> None:
    assert len({case.icao for case in dst_transition_cases}) == len(load_stations())
    failures = []
    for case in dst_transition_cases:
        station = station_by_icao(case.icao)
        day = climate_date(case.at, station)
        start, end = climate_day_window(day, station)
        minute = (case.at - start) // timedelta(minutes=1)
        if (day, minute) != (case.climate_date, case.checkpoint_minute) or not (
            start <= case.at < end
        ):
            failures.append(f"{case}: got {day} minute {minute}")
    assert failures == []
