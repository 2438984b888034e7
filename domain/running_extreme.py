"""Running max / min of the current climate day: the Python twin of ``int_running_extremes``.

The rules, exactly as the dbt models apply them (``stg_iem__observations`` ->
``int_observations__climate_day`` -> ``int_running_extremes``):

- the climate day of an observation is the local-standard-time date of its valid time;
- it becomes available ``obs_publication_delay_minutes[report_type]`` after its valid time
  (dbt var; 1 = HF 5-minute, 3 = routine, 4 = special) and counts at instant t iff
  ``available_at <= t``, even when IEM already serves it: the backtest that chose the thresholds
  could not have used it earlier; one available only after its day has ended never counts for
  that day;
- precise °F: tenths of °C (T group) converted exactly, else IEM's tmpf, else the whole-°C body;
- whole °F: the tenths converted and rounded half away from zero (``domain.temperature``), else
  the precise value rounded the same way;
- a reading with no temperature at all is ignored.

``tests/trader/test_running_extreme_parity.py`` checks this module against the SQL on a built
sample warehouse; ``test_publication_delays_match_dbt`` keeps the delays equal to the dbt var.
The trader computes today's extremes with it (``trader.loop``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from domain.climate_day import climate_date as climate_date_of
from domain.climate_day import climate_day_window
from domain.stations import Station
from domain.temperature import c_to_f, round_half_up, whole_f

PUBLICATION_DELAY_MINUTES: Mapping[int, int] = MappingProxyType({1: 15, 3: 5, 4: 5})
"""Minutes from valid time to availability by IEM report type (dbt var
``obs_publication_delay_minutes``)."""

_MICROS_PER_MINUTE = Decimal(60_000_000)


def _aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True)
class Observation:
    """One ASOS report as the raw table holds it (``domain.observations`` builds them from rows).

    Attributes:
        station_icao: station (``KNYC``).
        observed_at: aware valid time.
        report_type: IEM report type: 1 (HF 5-minute), 3 (routine) or 4 (special).
        temp_c_tenths: T-group temperature, tenths °C, when the METAR has one.
        temp_f_reported: IEM's ``tmpf``.
        temp_c_whole: the METAR body temperature, whole °C.
    """

    station_icao: str
    observed_at: datetime
    report_type: int
    temp_c_tenths: Decimal | None = None
    temp_f_reported: Decimal | None = None
    temp_c_whole: int | None = None

    def __post_init__(self) -> None:
        _aware(self.observed_at, "observed_at")
        for name in ("temp_c_tenths", "temp_f_reported"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")

    @property
    def temp_f(self) -> Decimal | None:
        """Best °F: exact from tenths °C, else tmpf, else from whole °C (SQL ``temp_f``)."""
        if self.temp_c_tenths is not None:
            return c_to_f(self.temp_c_tenths)
        if self.temp_f_reported is not None:
            return self.temp_f_reported
        if self.temp_c_whole is not None:
            return c_to_f(Decimal(self.temp_c_whole))
        return None

    @property
    def temp_f_whole(self) -> int | None:
        """Whole °F, half away from zero (SQL ``temp_f_whole``)."""
        if self.temp_c_tenths is not None:
            return whole_f(self.temp_c_tenths)
        precise = self.temp_f
        return None if precise is None else round_half_up(precise)

    def available_at(self, delays: Mapping[int, int] = PUBLICATION_DELAY_MINUTES) -> datetime:
        """When the report is published (valid time + the report type's delay).

        Raises:
            ValueError: a report type with no configured delay (it would count too early).
        """
        if self.report_type not in delays:
            raise ValueError(f"no publication delay for report type {self.report_type}")
        return self.observed_at + timedelta(minutes=delays[self.report_type])


@dataclass(frozen=True)
class RunningExtreme:
    """The running extremes of one station's climate day as known at ``as_of``.

    Attributes:
        station_icao: station.
        climate_date: the climate date (local standard time).
        as_of: the instant the extremes are known at (aware).
        running_max_f: running max, whole °F (None before the first available reading).
        running_min_f: running min, whole °F.
        running_max_f_precise: running max of the precise °F.
        running_min_f_precise: running min of the precise °F.
        observation_count: readings counted.
        latest_observed_at: valid time of the newest reading counted.
    """

    station_icao: str
    climate_date: date
    as_of: datetime
    running_max_f: int | None
    running_min_f: int | None
    running_max_f_precise: Decimal | None
    running_min_f_precise: Decimal | None
    observation_count: int
    latest_observed_at: datetime | None

    def __post_init__(self) -> None:
        _aware(self.as_of, "as_of")
        if self.latest_observed_at is not None:
            _aware(self.latest_observed_at, "latest_observed_at")

    def extreme_for(self, contract_type: str) -> int | None:
        """The running max for ``HIGH``, the running min for ``LOW``."""
        if contract_type == "HIGH":
            return self.running_max_f
        if contract_type == "LOW":
            return self.running_min_f
        raise ValueError(f"contract_type must be HIGH or LOW, got {contract_type!r}")

    def observation_age_minutes(self, now: datetime | None = None) -> Decimal | None:
        """Minutes from the newest counted reading to ``now`` (default ``as_of``), exact."""
        if self.latest_observed_at is None:
            return None
        at = self.as_of if now is None else now
        _aware(at, "now")
        # whole microseconds: timedelta.total_seconds() is a float
        micros = (at - self.latest_observed_at) // timedelta(microseconds=1)
        return Decimal(micros) / _MICROS_PER_MINUTE


def running_extreme(
    observations: Iterable[Observation],
    station: Station,
    climate_date: date,
    as_of: datetime,
    delays: Mapping[int, int] = PUBLICATION_DELAY_MINUTES,
) -> RunningExtreme:
    """Running max / min of ``station``'s ``climate_date`` from the readings available at ``as_of``.

    Args:
        observations: any readings (other stations and days are skipped).
        station: the station.
        climate_date: the climate date.
        as_of: aware instant; after the day's end the day's extremes as known at its end.
        delays: publication delay by report type (default: the dbt var's values).

    Returns:
        The extremes; ``observation_count == 0`` and None extremes when nothing is available.
    """
    _aware(as_of, "as_of")
    _, day_end = climate_day_window(climate_date, station)
    cutoff = min(as_of, day_end)
    maximum = minimum = None
    precise_max = precise_min = None
    latest = None
    count = 0
    for obs in observations:
        if obs.station_icao != station.icao:
            continue
        if climate_date_of(obs.observed_at, station) != climate_date:
            continue
        precise = obs.temp_f
        whole = obs.temp_f_whole
        if precise is None or whole is None or obs.available_at(delays) > cutoff:
            continue
        count += 1
        maximum = whole if maximum is None else max(maximum, whole)
        minimum = whole if minimum is None else min(minimum, whole)
        precise_max = precise if precise_max is None else max(precise_max, precise)
        precise_min = precise if precise_min is None else min(precise_min, precise)
        latest = obs.observed_at if latest is None else max(latest, obs.observed_at)
    return RunningExtreme(
        station_icao=station.icao,
        climate_date=climate_date,
        as_of=as_of,
        running_max_f=maximum,
        running_min_f=minimum,
        running_max_f_precise=precise_max,
        running_min_f_precise=precise_min,
        observation_count=count,
        latest_observed_at=latest,
    )
