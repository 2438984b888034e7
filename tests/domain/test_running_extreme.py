"""Running extremes: climate day in LST, publication delays, precision rules (no warehouse)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.running_extreme import Observation, running_extreme
from domain.stations import station_by_icao

NYC = station_by_icao("KNYC")  # UTC-5 standard
DAY = date(2025, 7, 10)  # daylight time: the climate day is 05:00Z..05:00Z


def _obs(at: datetime, report_type: int = 3, **temps: object) -> Observation:
    return Observation("KNYC", at, report_type, **temps)  # type: ignore[arg-type]


def _utc(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2025, 7, day, hour, minute, tzinfo=UTC)


def test_climate_day_is_local_standard_time_even_in_summer() -> None:
    # 04:51Z on 07-10 is 00:51 EDT but 23:51 EST on 07-09: yesterday's climate day.
    late = _obs(_utc(4, 51), temp_c_tenths=Decimal("30.0"))
    early = _obs(_utc(5, 51), temp_c_tenths=Decimal("20.0"))
    got = running_extreme([late, early], NYC, DAY, _utc(23))
    assert (got.running_max_f, got.running_min_f, got.observation_count) == (68, 68, 1)
    yesterday = running_extreme([late, early], NYC, date(2025, 7, 9), _utc(23))
    assert yesterday.running_max_f == 86 and yesterday.observation_count == 1


@pytest.mark.parametrize(("report_type", "delay"), [(1, 15), (3, 5), (4, 5)])
def test_counts_only_once_published(report_type: int, delay: int) -> None:
    obs = _obs(_utc(12), report_type, temp_f_reported=Decimal("80.0"))
    at = _utc(12) + timedelta(minutes=delay)
    assert running_extreme([obs], NYC, DAY, at).observation_count == 1
    assert running_extreme([obs], NYC, DAY, at - timedelta(seconds=1)).observation_count == 0


def test_unknown_report_type_is_refused_not_counted_early() -> None:
    with pytest.raises(ValueError, match="report type 2"):
        running_extreme([_obs(_utc(12), 2, temp_f_reported=Decimal(80))], NYC, DAY, _utc(13))


def test_precision_rules_match_the_sql() -> None:
    # tenths: 28.3 °C = 82.94 °F -> 83; a half rounds away from zero: 2.5 °C = 36.5 °F -> 37
    assert _obs(_utc(12), temp_c_tenths=Decimal("28.3")).temp_f_whole == 83
    assert _obs(_utc(12), temp_c_tenths=Decimal("2.5")).temp_f_whole == 37
    assert _obs(_utc(12), temp_c_tenths=Decimal("-20.5")).temp_f_whole == -5  # -4.9 °F
    # tenths win over tmpf; tmpf over the whole-degree body
    both = _obs(_utc(12), temp_c_tenths=Decimal("28.3"), temp_f_reported=Decimal("84.0"))
    assert both.temp_f == Decimal("82.94")
    tmpf = _obs(_utc(12), temp_f_reported=Decimal("80.5"), temp_c_whole=20)
    assert (tmpf.temp_f, tmpf.temp_f_whole) == (Decimal("80.5"), 81)
    body = _obs(_utc(12), temp_c_whole=-3)
    assert (body.temp_f, body.temp_f_whole) == (Decimal("26.6"), 27)
    assert _obs(_utc(12)).temp_f is None


def test_extremes_ages_and_skips() -> None:
    readings = [
        _obs(_utc(10), temp_c_tenths=Decimal("25.0")),  # 77
        _obs(_utc(14), temp_c_tenths=Decimal("31.1")),  # 87.98 -> 88
        _obs(_utc(16), 1, temp_f_reported=Decimal("85.0")),
        _obs(_utc(17), 1),  # no temperature at all: ignored
        Observation("KMDW", _utc(15), 3, temp_c_tenths=Decimal("40.0")),  # another station
    ]
    got = running_extreme(readings, NYC, DAY, _utc(17, 30))
    assert (got.running_max_f, got.running_min_f, got.observation_count) == (88, 77, 3)
    assert got.running_max_f_precise == Decimal("87.98")
    assert got.latest_observed_at == _utc(16)
    assert got.observation_age_minutes() == Decimal(90)
    assert got.observation_age_minutes(_utc(16, 20)) == Decimal(20)
    assert got.extreme_for("HIGH") == 88 and got.extreme_for("LOW") == 77
    empty = running_extreme(readings, NYC, DAY, _utc(6))
    assert empty.running_max_f is None and empty.observation_age_minutes() is None


def test_a_reading_published_after_the_day_never_counts_for_it() -> None:
    # 04:55Z HF report (23:55 EST) is published at 05:10Z, after the climate day ends at 05:00Z.
    last = _obs(_utc(4, 55, day=11), 1, temp_f_reported=Decimal("99.0"))
    got = running_extreme([last], NYC, DAY, _utc(6, day=11))
    assert got.observation_count == 0


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        _obs(datetime(2025, 7, 10, 12), temp_f_reported=Decimal(80))
    with pytest.raises(TypeError):
        _obs(_utc(12), temp_f_reported=80.0)


def test_observation_age_is_exact_to_the_microsecond() -> None:
    from datetime import UTC, date, datetime, timedelta
    from decimal import Decimal

    from domain.running_extreme import Observation, running_extreme
    from domain.stations import station_by_icao

    station = station_by_icao("KNYC")
    seen = datetime(2025, 3, 10, 17, 51, tzinfo=UTC)
    extreme = running_extreme(
        [Observation("KNYC", seen, 3, temp_c_tenths=Decimal("10.0"))],
        station,
        date(2025, 3, 10),
        seen + timedelta(minutes=20),
    )
    later = seen + timedelta(minutes=7, microseconds=1)
    # 7 minutes and a microsecond: a float total_seconds() would round it away
    assert extreme.observation_age_minutes(later) == Decimal(420_000_001) / Decimal(60_000_000)
