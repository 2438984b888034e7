"""The climate-day macros agree with ``domain.climate_day`` across both 2025 DST transitions.

``climate_date`` and ``local_standard_ts`` (dbt_project/macros/climate_day.sql) are compiled by a
real ``dbt compile --inline`` and run in DuckDB on every instant of ``dst_transition_cases``
(every station of the registry, both transitions, the civil hour around each LST midnight) with
the station's offset from the registry; the checkpoint minute is minutes from the climate date's
LST midnight to the local-standard timestamp. ``fallback_close_at`` is checked on the climate
dates around the transitions. The DuckDB session runs in a zone with daylight time, so a macro
that leaned on the session's zone instead of UTC would show it.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from domain.climate_day import climate_date, fallback_close_at
from domain.stations import load_stations, station_by_icao
from tests.conftest import ClimateDayCase, compile_macros

pytestmark = pytest.mark.dbt

TEMPLATE = """
select
    parity_input.case_id as case_id,
    {{ climate_date('parity_input.instant_at', 'parity_input.offset_hours') }} as climate_date,
    date_diff(
        'minute',
        cast({{ climate_date('parity_input.instant_at', 'parity_input.offset_hours') }} as timestamp),
        {{ local_standard_ts('parity_input.instant_at', 'parity_input.offset_hours') }}
    ) as checkpoint_minute,
    {{ fallback_close_at('parity_input.day', 'parity_input.offset_hours') }} as fallback_close_at
from parity_input
"""
SESSION_ZONE = "America/Denver"


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The template compiled by dbt (the project's macros)."""
    return compile_macros(TEMPLATE, tmp_path_factory.mktemp("dbt"))


def _run(sql: str, frame: pd.DataFrame) -> dict[int, tuple[object, ...]]:
    con = duckdb.connect()
    try:
        con.execute(f"set TimeZone = '{SESSION_ZONE}'")
        con.register("staged", frame)
        con.execute(
            "create table parity_input as select case_id, cast(instant_at as timestamptz) as instant_at, "
            "cast(offset_hours as integer) as offset_hours, cast(day as date) as day from staged"
        )
        return {row[0]: row[1:] for row in con.execute(sql).fetchall()}
    finally:
        con.close()


def test_macros_agree_with_python_across_dst(
    compiled_sql: str, dst_transition_cases: list[ClimateDayCase]
) -> None:
    offsets = {s.icao: s.std_utc_offset_hours for s in load_stations()}
    frame = pd.DataFrame(
        {
            "case_id": range(len(dst_transition_cases)),
            "instant_at": [case.at for case in dst_transition_cases],
            "offset_hours": [offsets[case.icao] for case in dst_transition_cases],
            "day": [case.climate_date for case in dst_transition_cases],
        }
    )
    got = _run(compiled_sql, frame)
    failures = []
    for case_id, case in enumerate(dst_transition_cases):
        station = station_by_icao(case.icao)
        day, minute, close = got[case_id]
        python_day = climate_date(case.at, station)
        if (day, minute) != (case.climate_date, case.checkpoint_minute) or day != python_day:
            failures.append(f"{case}: sql {day} minute {minute}, python {python_day}")
        if close != fallback_close_at(case.climate_date, station):
            failures.append(f"{case}: sql close {close}")
    assert failures == [], "\n".join(failures[:20])


def test_fallback_close_is_the_last_minute_of_the_climate_day(compiled_sql: str) -> None:
    # 23:59 LST of the transition days is 00:59 civil of the next day under daylight time.
    cases = [
        (station, date(2025, 3, 9) + timedelta(days=d))
        for station in load_stations()
        for d in (-1, 0, 1)
    ] + [
        (station, date(2025, 11, 2) + timedelta(days=d))
        for station in load_stations()
        for d in (-1, 0, 1)
    ]
    frame = pd.DataFrame(
        {
            "case_id": range(len(cases)),
            "instant_at": [fallback_close_at(day, station) for station, day in cases],
            "offset_hours": [station.std_utc_offset_hours for station, _ in cases],
            "day": [day for _, day in cases],
        }
    )
    got = _run(compiled_sql, frame)
    for case_id, (station, day) in enumerate(cases):
        # the close instant itself lies on its own climate date, at minute 1439
        assert got[case_id] == (day, 1439, fallback_close_at(day, station)), (station.icao, day)
