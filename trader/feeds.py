"""Today's observations from IEM (``adapters.iem``) as ``running_extreme.Observation`` rows.

asos.py is asked once per report type (1, 3, 4) so each row's type, and hence its publication
delay, is known. A row is used on the same terms the loaders accept it (``pipelines/iem``):
a known station, a valid UTC time, a METAR (when present) that parses and agrees with the row's
station and time, and some temperature. Other rows are skipped and logged, never guessed at.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from adapters.iem import settings as iem_settings
from adapters.iem.client import AsosRequest, IemClient
from domain.metar import MetarParseError, parse_metar
from domain.stations import Station, UnknownStationError, station_by_iem_id
from trader.running_extreme import Observation

log = logging.getLogger(__name__)

MISSING = frozenset({"", "M", "NULL", "NONE", "NAN"})
METAR_TIME_TOLERANCE = timedelta(minutes=60)


@dataclass(frozen=True)
class ParsedRows:
    """Observations read from one asos.py body and the rows skipped (with why)."""

    observations: tuple[Observation, ...]
    skipped: tuple[str, ...]


def _decimal_or_none(raw: str | None) -> Decimal | None:
    if raw is None or raw.strip().upper() in MISSING:
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation as exc:
        raise ValueError(f"tmpf {raw!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"tmpf {raw!r} is not finite")
    return value


def _valid_at(raw: str) -> datetime:
    # asos.py with tz=UTC prints naive 'YYYY-MM-DD HH:MM' in UTC.
    return datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def _row(fields: dict[str, str | None], report_type: int) -> Observation:
    raw_station = (fields.get("station") or "").strip()
    try:
        icao = station_by_iem_id(raw_station).icao
    except UnknownStationError as exc:
        raise ValueError(f"unknown station {raw_station!r}") from exc
    valid_at = _valid_at(fields.get("valid") or "")
    tmpf = _decimal_or_none(fields.get("tmpf"))
    text = (fields.get("metar") or "").strip()
    tenths = whole = None
    if text and text.upper() not in MISSING:
        try:
            metar = parse_metar(text)
        except MetarParseError as exc:
            raise ValueError(f"unreadable METAR: {exc}") from exc
        try:
            metar_icao = station_by_iem_id(metar.station).icao
        except UnknownStationError:
            metar_icao = metar.station
        if metar_icao != icao:
            raise ValueError(f"METAR station {metar.station} disagrees with {icao}")
        same = (metar.day, metar.hour, metar.minute) == (
            valid_at.day,
            valid_at.hour,
            valid_at.minute,
        )
        if not same and not metar.matches_time(valid_at, METAR_TIME_TOLERANCE):
            raise ValueError(f"METAR time disagrees with valid {valid_at:%Y-%m-%d %H:%M}Z")
        tenths, whole = metar.temp_c_tenths, metar.temp_c_whole
    if tmpf is None and tenths is None and whole is None:
        raise ValueError("no temperature")
    return Observation(icao, valid_at, report_type, tenths, tmpf, whole)


def parse_asos_csv(text: str, report_type: int) -> ParsedRows:
    """Read an asos.py ``onlycomma`` body (``station,valid,tmpf,dwpf,metar``).

    Args:
        text: the body.
        report_type: the report type the request asked for.

    Returns:
        The usable observations and a reason per skipped row.
    """
    observations: list[Observation] = []
    skipped: list[str] = []
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for number, fields in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), start=2):
        try:
            observations.append(_row(fields, report_type))
        except ValueError as exc:
            skipped.append(f"line {number}: {exc}")
    return ParsedRows(tuple(observations), tuple(skipped))


class IemObservations:
    """The latest observations of a station through the shared IEM client.

    Args:
        client: an ``adapters.iem.client.IemClient``.
    """

    def __init__(self, client: IemClient) -> None:
        self.client = client

    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]:
        """Every usable report of ``station`` valid in ``[start, end)``, all report types.

        Raises:
            adapters.iem.client.IemRequestError: IEM failed after the client's retries (the
                caller's backoff breaker takes over).
        """
        out: list[Observation] = []
        for report_type in iem_settings.ASOS_REPORT_TYPES:
            request = AsosRequest(station, report_type, start, end)
            text, url = self.client.get_text(iem_settings.ASOS_PATH, request.params())
            parsed = parse_asos_csv(text, int(report_type))
            for reason in parsed.skipped:
                log.warning("IEM %s type %s: skipped %s", station.icao, report_type, reason)
            out.extend(parsed.observations)
        return out
