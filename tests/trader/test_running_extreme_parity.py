"""``domain.running_extreme`` agrees with its SQL twin ``int_running_extremes``.

The session warehouse (tests/trader/conftest.py) holds the simulated sample for three stations
in three time zones over the spring DST change. For every checkpoint row of
``int_running_extremes`` the Python rule, fed the raw readings of ``stg_iem__observations``
(tenths °C, tmpf, whole °C and report type, as loaded), must give the same whole-°F extremes,
the same precise extremes, the same reading count, the same newest reading and its age.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from domain.running_extreme import PUBLICATION_DELAY_MINUTES, Observation, running_extreme
from domain.stations import station_by_icao
from tests.conftest import REPO_ROOT, query_rows
from tests.trader.conftest import SAMPLE_STATIONS

pytestmark = pytest.mark.dbt

TOLERANCE = Decimal("1e-9")  # the SQL precise values are DOUBLE


def _decimal(value: float | Decimal | None) -> Decimal | None:
    # DOUBLE tmpf arrives as float: its shortest repr is the value IEM sent ("71.6").
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def _observations(path: Path) -> dict[str, list[Observation]]:
    rows = query_rows(
        path,
        "select station_icao, observed_at, report_type, temp_c_tenths, temp_f_reported, "
        "temp_c_whole from stg_iem__observations",
    )
    by_station: dict[str, list[Observation]] = defaultdict(list)
    for row in rows:
        by_station[row["station_icao"]].append(
            Observation(
                station_icao=row["station_icao"],
                observed_at=row["observed_at"].astimezone(UTC),
                report_type=int(row["report_type"]),
                temp_c_tenths=row["temp_c_tenths"],
                temp_f_reported=_decimal(row["temp_f_reported"]),
                temp_c_whole=row["temp_c_whole"],
            )
        )
    return by_station


def _close(a: Decimal | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - Decimal(repr(b))) <= TOLERANCE


def test_python_running_extremes_equal_int_running_extremes(trader_warehouse: Path) -> None:
    observations = _observations(trader_warehouse)
    expected = query_rows(
        trader_warehouse,
        "select station_icao, climate_date, checkpoint_minute, checkpoint_at, running_max_f, "
        "running_min_f, running_max_f_precise, running_min_f_precise, "
        "available_observation_count, latest_observed_at, observation_age_minutes "
        "from int_running_extremes order by all",
    )
    days = {(row["station_icao"], row["climate_date"]) for row in expected}
    assert {station for station, _ in days} == set(SAMPLE_STATIONS)
    assert len(days) >= 12, "several sample days per station"
    mismatches = []
    for row in expected:
        station = station_by_icao(row["station_icao"])
        got = running_extreme(
            observations[station.icao],
            station,
            row["climate_date"],
            row["checkpoint_at"].astimezone(UTC),
        )
        age = got.observation_age_minutes()
        same = (
            got.running_max_f == row["running_max_f"]
            and got.running_min_f == row["running_min_f"]
            and _close(got.running_max_f_precise, row["running_max_f_precise"])
            and _close(got.running_min_f_precise, row["running_min_f_precise"])
            and got.observation_count == row["available_observation_count"]
            and got.latest_observed_at
            == (row["latest_observed_at"] and row["latest_observed_at"].astimezone(UTC))
            and _close(age, row["observation_age_minutes"])
        )
        if not same:
            mismatches.append((row, got))
    assert not mismatches, f"{len(mismatches)} of {len(expected)} differ; first: {mismatches[0]}"
    # The comparison is not vacuous: near-empty early checkpoints and full days both occur.
    assert min(row["available_observation_count"] for row in expected) <= 2
    assert max(row["available_observation_count"] for row in expected) > 250
    assert len({row["running_max_f"] for row in expected}) > 10


def test_checkpoint_boundary_counts_exactly_at_availability(trader_warehouse: Path) -> None:
    """A reading available exactly at a checkpoint counts there, not one minute earlier."""
    observations = _observations(trader_warehouse)
    station = station_by_icao("KNYC")
    routine = next(
        obs
        for obs in observations["KNYC"]
        if obs.report_type == 3 and obs.observed_at.date() == date(2025, 3, 10)
    )
    available = routine.available_at()
    day = routine.observed_at.astimezone(station.standard_zone).date()
    before = running_extreme(observations["KNYC"], station, day, available.replace(second=0))
    just_before = running_extreme(
        observations["KNYC"], station, day, datetime.fromtimestamp(available.timestamp() - 1, UTC)
    )
    assert before.observation_count == just_before.observation_count + 1


def test_publication_delays_match_dbt() -> None:
    """The Python delays are the dbt var ``obs_publication_delay_minutes``, key for key."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    delays = project["vars"]["obs_publication_delay_minutes"]
    assert {int(k): int(v) for k, v in delays.items()} == dict(PUBLICATION_DELAY_MINUTES)
