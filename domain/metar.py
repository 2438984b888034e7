"""Parse the temperature content of raw METAR/SPECI text.

Only what the climate-day work needs is decoded: the station, the day/time group, the body
temperature/dew point (whole °C), and the remark groups that carry tenths of a degree: the
``T`` group (current temperature/dew point), ``1sTTT`` / ``2sTTT`` (6-hour max/min) and
``4sTTTsTTT`` (24-hour max/min). Values are ``Decimal`` °C; convert with ``domain.temperature``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.bounds import BoundsError, check_temperature_c, shown
from domain.temperature import c_to_f, whole_f

_STATION = re.compile(r"^[A-Z][A-Z0-9]{3}$")
_DAY_TIME = re.compile(r"^(\d{2})(\d{2})(\d{2})Z$")
_BODY_TEMP = re.compile(r"^(M?\d{2})/(M?\d{2}|//)?$")
# One pass over the remarks finds every group we want (whole whitespace-separated tokens,
# an optional trailing '$' maintenance flag): T group, 1sTTT, 2sTTT, 4sTTTsTTT and SLP.
_REMARK_GROUPS = re.compile(
    r"(?<!\S)(?:"
    r"T(?P<ts>[01])(?P<tv>\d{3})(?:(?P<ds>[01])(?P<dv>\d{3}))?"
    r"|1(?P<xs>[01])(?P<xv>\d{3})"
    r"|2(?P<ns>[01])(?P<nv>\d{3})"
    r"|4(?P<hs>[01])(?P<hv>\d{3})(?P<ls>[01])(?P<lv>\d{3})"
    r"|(?P<slp>SLP(?:\d{3}|NO))"
    r")\$?(?!\S)"
)


# Error messages quote the report, cut to this length (a hostile text may be megabytes long).
_QUOTE_CHARS = 200


class MetarParseError(ValueError):
    """The text is not a METAR we can read (no station, no day/time group, no body, or a
    temperature outside the physical bounds of :mod:`domain.bounds`)."""


def _quoted(one_line: str) -> str:
    if len(one_line) <= _QUOTE_CHARS:
        return repr(one_line)
    return f"{one_line[:_QUOTE_CHARS]!r}...({len(one_line)} chars)"


@dataclass(frozen=True)
class Metar:
    """The temperature content of one METAR or SPECI.

    Attributes:
        station: the ICAO id as written (``KNYC``).
        day: day of month of the observation (UTC).
        hour: hour (UTC).
        minute: minute (UTC).
        kind: ``METAR`` or ``SPECI`` when the text carries the prefix, else ``None``.
        temp_c_whole: body temperature, whole °C (``M`` = minus); ``None`` when absent.
        dewpoint_c_whole: body dew point, whole °C.
        temp_c_tenths: ``T`` group temperature, tenths °C.
        dewpoint_c_tenths: ``T`` group dew point, tenths °C.
        max_6h_c: ``1sTTT`` group: max of the previous 6 hours, tenths °C.
        min_6h_c: ``2sTTT`` group: min of the previous 6 hours.
        max_24h_c: ``4sTTTsTTT`` group: 24-hour max.
        min_24h_c: ``4sTTTsTTT`` group: 24-hour min.
        has_slp: the remarks carry a sea-level-pressure group (``SLPppp`` / ``SLPNO``).
        raw: the report on one line, without the trailing ``=``.
    """

    station: str
    day: int
    hour: int
    minute: int
    kind: str | None
    temp_c_whole: int | None
    dewpoint_c_whole: int | None
    temp_c_tenths: Decimal | None
    dewpoint_c_tenths: Decimal | None
    max_6h_c: Decimal | None
    min_6h_c: Decimal | None
    max_24h_c: Decimal | None
    min_24h_c: Decimal | None
    has_slp: bool
    raw: str

    @property
    def best_temp_c(self) -> Decimal | None:
        """The most precise temperature: the T group, else the whole-degree body value."""
        if self.temp_c_tenths is not None:
            return self.temp_c_tenths
        return Decimal(self.temp_c_whole) if self.temp_c_whole is not None else None

    @property
    def temp_f(self) -> Decimal | None:
        """Exact °F of the most precise temperature (not rounded)."""
        best = self.best_temp_c
        return c_to_f(best) if best is not None else None

    @property
    def temp_f_whole(self) -> int | None:
        """Whole °F (half up) of the T-group temperature; ``None`` without a T group.

        Whole-°C body values are deliberately not converted: the round trip can be off by 1 °F.
        """
        return whole_f(self.temp_c_tenths) if self.temp_c_tenths is not None else None

    def observed_at(self, reference: datetime) -> datetime:
        """The UTC instant of the report, taking year and month from a nearby reference time.

        A METAR only carries day/hour/minute; the month is the one (of the reference's month,
        the month before and after) that puts the instant closest to ``reference``.

        Args:
            reference: an aware instant near the observation (file time, request window...).

        Returns:
            The aware UTC instant.
        """
        ref = reference.astimezone(UTC)
        candidates = []
        for shift in (-1, 0, 1):
            month_index = ref.year * 12 + ref.month - 1 + shift
            year, month = divmod(month_index, 12)
            month += 1
            if self.day <= calendar.monthrange(year, month)[1]:
                candidates.append(
                    datetime(year, month, self.day, self.hour, self.minute, tzinfo=UTC)
                )
        if not candidates:  # pragma: no cover - day is validated to 1..31, some month fits
            raise MetarParseError(f"day {self.day} fits no month near {reference.isoformat()}")
        return min(candidates, key=lambda at: abs(at - ref))

    def matches_time(self, at: datetime, tolerance: timedelta = timedelta(minutes=0)) -> bool:
        """True if the day/time group agrees with an instant (UTC), within a tolerance."""
        return abs(self.observed_at(at) - at.astimezone(UTC)) <= tolerance


def _tenths(sign: str, digits: str) -> Decimal:
    # From the string, exactly: 'sTTT' = sign digit then tenths (0256 -> 25.6, 1044 -> -4.4).
    return Decimal(f"{'-' if sign == '1' else ''}{digits[:2]}.{digits[2]}")


def _whole(text: str) -> int:
    return -int(text[1:]) if text.startswith("M") else int(text)


def parse_metar(text: str) -> Metar:
    """Parse one METAR/SPECI (may span several lines, may end in ``=``).

    Args:
        text: the report text.

    Returns:
        The decoded temperature content.

    Raises:
        MetarParseError: no valid station id, no valid ``ddhhmmZ`` group, nothing after it, or
            a temperature group outside the physical bounds (``M99/M99``, ``T19990999``).
    """
    one_line = " ".join(text.replace("=", " ").split())
    tokens = one_line.split(" ")
    kind: str | None = None
    if tokens and tokens[0] in ("METAR", "SPECI"):
        kind = tokens.pop(0)
        # The WMO form puts a correction's COR before the station (``METAR COR KNYC ...``).
        if tokens and tokens[0] == "COR":
            tokens.pop(0)
    if not tokens or not tokens[0]:
        raise MetarParseError("empty METAR")
    station = tokens[0]
    if not _STATION.match(station):
        raise MetarParseError(f"bad station id {shown(station)} in {_quoted(one_line)}")
    if len(tokens) < 2 or not (match := _DAY_TIME.match(tokens[1])):
        got = tokens[1] if len(tokens) > 1 else "nothing"
        raise MetarParseError(f"bad day/time group {shown(got)} in {_quoted(one_line)}")
    day, hour, minute = (int(part) for part in match.groups())
    if not (1 <= day <= 31 and hour <= 23 and minute <= 59):
        raise MetarParseError(f"impossible day/time {shown(tokens[1])} in {_quoted(one_line)}")
    rest = tokens[2:]
    if not rest:
        raise MetarParseError(f"no report body after {station} {tokens[1]} in {_quoted(one_line)}")

    try:
        rmk_at = rest.index("RMK")
    except ValueError:
        rmk_at = len(rest)
    body, remarks = rest[:rmk_at], rest[rmk_at + 1 :]

    temp_whole: int | None = None
    dew_whole: int | None = None
    for token in body:
        if "/" in token and (body_match := _BODY_TEMP.match(token)):
            temp_whole = _whole(body_match.group(1))
            dew = body_match.group(2)
            dew_whole = _whole(dew) if dew and dew != "//" else None
            break

    temp_tenths = dew_tenths = None
    max_6h = min_6h = max_24h = min_24h = None
    has_slp = False
    for group in _REMARK_GROUPS.finditer(" ".join(remarks)):
        # The first of each group wins (a report carries each at most once).
        if group["tv"] is not None:
            if temp_tenths is None:
                temp_tenths = _tenths(group["ts"], group["tv"])
                if group["dv"] is not None:
                    dew_tenths = _tenths(group["ds"], group["dv"])
        elif group["xv"] is not None:
            max_6h = max_6h if max_6h is not None else _tenths(group["xs"], group["xv"])
        elif group["nv"] is not None:
            min_6h = min_6h if min_6h is not None else _tenths(group["ns"], group["nv"])
        elif group["hv"] is not None:
            if max_24h is None:
                max_24h = _tenths(group["hs"], group["hv"])
                min_24h = _tenths(group["ls"], group["lv"])
        else:
            has_slp = True

    _check_physical(
        {
            "temperature": temp_whole,
            "dew point": dew_whole,
            "T-group temperature": temp_tenths,
            "T-group dew point": dew_tenths,
            "6-hour max": max_6h,
            "6-hour min": min_6h,
            "24-hour max": max_24h,
            "24-hour min": min_24h,
        },
        one_line,
    )
    return Metar(
        station=station,
        day=day,
        hour=hour,
        minute=minute,
        kind=kind,
        temp_c_whole=temp_whole,
        dewpoint_c_whole=dew_whole,
        temp_c_tenths=temp_tenths,
        dewpoint_c_tenths=dew_tenths,
        max_6h_c=max_6h,
        min_6h_c=min_6h,
        max_24h_c=max_24h,
        min_24h_c=min_24h,
        has_slp=has_slp,
        raw=one_line,
    )


def _check_physical(values: dict[str, int | Decimal | None], one_line: str) -> None:
    for name, value in values.items():
        if value is None:
            continue
        try:
            check_temperature_c(value, f"METAR {name}")
        except BoundsError as exc:
            raise MetarParseError(f"{exc} in {_quoted(one_line)}") from exc


def split_collective(text: str) -> Iterator[tuple[int, str]]:
    """Split a METAR collective bulletin into single reports.

    A report starts on a line that is not indented and runs, across indented continuation
    lines, to the ``=`` that ends it. Bulletin headers (the sequence number, ``SAUS70 KWBC
    081400``, the ``METAR`` line) carry no ``=`` of their own and are skipped when the next
    unindented line starts.

    Args:
        text: the bulletin text.

    Returns:
        An iterator of (first line number, 1-based; report text without ``=``).
    """
    current: list[str] = []
    start_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not line[0].isspace() and current:
            # A new unindented line before any '=' means the previous lines were a header.
            current = []
        if not current:
            start_line = number
        current.append(line.strip())
        if line.rstrip().endswith("="):
            yield start_line, " ".join(current).rstrip("=").strip()
            current = []


def parse_collective(text: str) -> tuple[list[Metar], list[tuple[int, str, str]]]:
    """Parse every report of a collective.

    Args:
        text: the bulletin text.

    Returns:
        (reports parsed, failures as (line number, raw report, reason)).
    """
    parsed: list[Metar] = []
    failures: list[tuple[int, str, str]] = []
    for line, report in split_collective(text):
        try:
            parsed.append(parse_metar(report))
        except MetarParseError as exc:
            failures.append((line, report, str(exc)))
    return parsed, failures
