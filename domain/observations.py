"""Which IEM observation rows are readings: the one row rule of the loaders and the trader.

A row (``station, valid, tmpf, dwpf, metar`` as asos.py or an hourly export sends it) is a
reading when its station is in the registry, its valid time is a real UTC minute, its numbers
are numbers within the physical bounds of ``domain.bounds`` (dew point not above the
temperature), its METAR (when present) parses and agrees with the row's station and time, and
it carries some temperature (tmpf, or a METAR temperature group). Anything else is refused with
the reason (``ObservationError``), never guessed at. ``pipelines.iem.parsers`` turns readings
into raw-table rows and refusals into rejects; ``trader.feeds`` into ``Observation``s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache

from domain.bounds import (
    MAX_NUMBER_TEXT,
    BoundsError,
    check_dewpoint_f,
    check_temperature_f,
    shown,
)
from domain.metar import Metar, MetarParseError, parse_metar
from domain.running_extreme import Observation
from domain.stations import UnknownStationError, station_by_iem_id

MISSING = frozenset({"", "M", "NULL", "NONE", "NAN"})
"""IEM's markers for an absent value (compared stripped, upper case)."""

METAR_TIME_TOLERANCE = timedelta(minutes=60)
"""An IEM valid time and the METAR's own day/time group may differ by a few minutes for
corrected reports; anything beyond this means the row's fields do not belong together."""


# IEM writes plain decimals; Decimal() and float() would also take "inf", "1e3" and "7_8".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class ObservationError(ValueError):
    """A row that is not a reading; the message is the reason."""


@dataclass(frozen=True)
class ObservationRow:
    """One reading as the row states it.

    Attributes:
        station_icao: the registry's ICAO id (``KNYC``), whatever id the row used.
        valid_at: aware UTC valid time.
        temp_f: IEM's ``tmpf`` (°F), as written.
        dewpoint_f: IEM's ``dwpf`` (°F), as written.
        metar_text: the METAR, stripped; None when absent.
        metar: the parsed METAR; None when absent.
    """

    station_icao: str
    valid_at: datetime
    temp_f: Decimal | None
    dewpoint_f: Decimal | None
    metar_text: str | None
    metar: Metar | None

    def as_observation(self, report_type: int) -> Observation:
        """The reading for ``domain.running_extreme`` (its report type comes from the caller)."""
        metar = self.metar
        return Observation(
            self.station_icao,
            self.valid_at,
            report_type,
            temp_c_tenths=None if metar is None else metar.temp_c_tenths,
            temp_f_reported=self.temp_f,
            temp_c_whole=None if metar is None else metar.temp_c_whole,
        )


def is_missing(raw: str | None) -> bool:
    """True for None and IEM's missing markers (``""``, ``M``, ``NULL``, ...)."""
    return raw is None or raw.strip().upper() in MISSING


@cache
def _icao_of(raw: str) -> str | None:
    # Cached: the registry lookup is a linear scan and large loads repeat a few ids.
    try:
        return station_by_iem_id(raw).icao
    except UnknownStationError:
        return None


def station_icao(raw: object) -> str:
    """The registry's ICAO id of a row's station field (``NYC`` or ``KNYC``).

    Raises:
        ObservationError: the field is missing (or not text), or the station is not ours.
    """
    if not isinstance(raw, str) or is_missing(raw):
        raise ObservationError("station is missing")
    icao = _icao_of(raw)
    if icao is None:
        raise ObservationError(f"unknown station {raw.strip()!r} (not in domain/data/stations.csv)")
    return icao


def reading(raw: str | None, name: str) -> Decimal | None:
    """A numeric field as written (a plain decimal: ``78``, ``-3.5``, ``.5``), or None when missing.

    Raises:
        ObservationError: anything else (``inf``, ``1e3``, ``7_8``, non-ASCII digits...).
    """
    if raw is None or is_missing(raw):
        return None
    text = raw.strip()
    if len(text) > MAX_NUMBER_TEXT or _NUMBER.fullmatch(text) is None:
        raise ObservationError(f"{name} {shown(raw)} is not a number")
    return Decimal(text)


def asos_valid_at(raw: str) -> datetime:
    """asos.py's valid time (``tz=UTC``): naive ``YYYY-MM-DD HH:MM``, in UTC.

    Raises:
        ObservationError: not that form, or not a real minute.
    """
    text = raw.strip()
    try:
        # Sliced by hand: strptime was a fifth of the parse time on large loads.
        if len(text) != 16 or text[4] != "-" or text[7] != "-" or text[10] != " ":
            raise ValueError(text)
        return datetime(
            int(text[:4]),
            int(text[5:7]),
            int(text[8:10]),
            int(text[11:13]),
            int(text[14:16]),
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise ObservationError(f"valid time {text!r} is not a timestamp") from exc


def offset_valid_at(raw: str) -> datetime:
    """An hourly export's valid time: ``YYYY-MM-DD HH:MM:SS+HHMM`` (with its offset), to UTC.

    Raises:
        ObservationError: not that form (a time without an offset is refused, not assumed UTC).
    """
    text = raw.strip()
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S%z").astimezone(UTC)
    except ValueError as exc:
        raise ObservationError(f"valid time {text!r} is not a timestamp") from exc


def _checked_metar(text: str, icao: str, valid_at: datetime) -> Metar:
    try:
        metar = parse_metar(text)
    except MetarParseError as exc:
        raise ObservationError(f"unreadable METAR: {exc}") from exc
    if (_icao_of(metar.station) or metar.station) != icao:
        raise ObservationError(f"METAR station {metar.station} disagrees with station {icao}")
    same_minute = (metar.day, metar.hour, metar.minute) == (
        valid_at.day,
        valid_at.hour,
        valid_at.minute,
    )
    if not same_minute and not metar.matches_time(valid_at, METAR_TIME_TOLERANCE):
        raise ObservationError(
            f"METAR time {metar.day:02d}{metar.hour:02d}{metar.minute:02d}Z disagrees "
            f"with valid {valid_at:%Y-%m-%d %H:%M}Z"
        )
    return metar


def _check_physical(
    temp_f: Decimal | None, tmpf: str | None, dewpoint_f: Decimal | None, dwpf: str | None
) -> None:
    """Temperature and dew point within :mod:`domain.bounds`, the dew point not above the
    temperature (beyond the rounding tolerance)."""
    try:
        if temp_f is not None:
            check_temperature_f(temp_f, "tmpf", tmpf)
        if dewpoint_f is not None:
            check_temperature_f(dewpoint_f, "dwpf", dwpf)
        if temp_f is not None and dewpoint_f is not None:
            check_dewpoint_f(temp_f, dewpoint_f)
    except BoundsError as exc:
        raise ObservationError(str(exc)) from exc


def observation_row(
    *,
    station: str | None,
    valid: str | None,
    tmpf: str | None,
    dwpf: str | None,
    metar: str | None,
    valid_at: Callable[[str], datetime] = asos_valid_at,
) -> ObservationRow:
    """Check one row's fields (checked in this order; the first failure is the reason).

    Args:
        station: the station id (``NYC`` / ``KNYC``).
        valid: the valid time text.
        tmpf: temperature, °F.
        dwpf: dew point, °F.
        metar: the raw METAR.
        valid_at: how to read ``valid``: ``asos_valid_at`` (default) or ``offset_valid_at``.

    Returns:
        The reading.

    Raises:
        ObservationError: the row is not a reading (the message says why).
    """
    icao = station_icao(station)
    at = valid_at(valid or "")
    temp_f = reading(tmpf, "tmpf")
    dewpoint_f = reading(dwpf, "dwpf")
    _check_physical(temp_f, tmpf, dewpoint_f, dwpf)
    text = None if metar is None or is_missing(metar) else metar.strip()
    parsed = None if text is None else _checked_metar(text, icao, at)
    if temp_f is None and (parsed is None or parsed.best_temp_c is None):
        raise ObservationError("no temperature: tmpf missing and no METAR temperature group")
    return ObservationRow(icao, at, temp_f, dewpoint_f, text, parsed)
