"""Kalshi weather ticker grammar: ``<SERIES>-<YY><MON><DD>[-B<x.5>|-T<n>]``.

The event's climate date comes from the ticker, never from close_time (which falls on the
next UTC day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.bounds import shown
from domain.brackets import Bracket, bracket_from_strikes

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
"""The ``<MON>`` of the grammar (a table, not ``%b``: the ticker never follows the locale)."""

_SERIES = re.compile(r"[A-Z]+")
# ASCII digits only (\d would take any script's), and a strike of at most 6 digits and 4
# decimals: far beyond any temperature, and a hostile 100,000-digit strike never reaches Decimal.
_TICKER = re.compile(
    r"^(?P<series>[A-Z]{1,32})-(?P<yy>[0-9]{2})(?P<mon>[A-Z]{3})(?P<dd>[0-9]{2})"
    r"(?:-(?P<kind>[BT])(?P<strike>-?[0-9]{1,6}(?:\.[0-9]{1,4})?))?$"
)


class TickerError(ValueError):
    """A ticker that does not follow the weather-series grammar."""


@dataclass(frozen=True)
class ParsedTicker:
    """The parts of an event or market ticker."""

    series_ticker: str
    event_ticker: str
    climate_date: date
    kind: str | None
    strike: Decimal | None


def event_ticker(series_ticker: str, climate_date: date) -> str:
    """The event ticker of a series on a climate date (``KXHIGHNY``, 2026-02-19 ->
    ``KXHIGHNY-26FEB19``); ``parse_ticker`` reads it back.

    Args:
        series_ticker: the series (any case).
        climate_date: the event's climate date, 2000..2068 (``%y`` reads 69..99 as 19xx).

    Returns:
        ``<SERIES>-<YY><MON><DD>``, upper case.

    Raises:
        TickerError: a series that is not letters only, or a date the two-digit year cannot carry.
    """
    series = series_ticker.strip().upper()
    if _SERIES.fullmatch(series) is None:
        raise TickerError(f"series ticker {series_ticker!r} is not letters only")
    if not 2000 <= climate_date.year <= 2068:
        raise TickerError(f"climate date {climate_date} has no two-digit ticker year")
    month = MONTHS[climate_date.month - 1]
    return f"{series}-{climate_date:%y}{month}{climate_date:%d}"


def parse_ticker(ticker: str) -> ParsedTicker:
    """Split an event or market ticker into series, event, climate date and strike suffix.

    Raises:
        TickerError: not text, or not the grammar.
    """
    if not isinstance(ticker, str):
        raise TickerError(f"ticker is not text: {type(ticker).__name__}")
    match = _TICKER.match(ticker.strip().upper())
    if match is None:
        raise TickerError(f"malformed weather ticker {shown(ticker, 80)}")
    try:
        day = datetime.strptime(match["yy"] + match["mon"].title() + match["dd"], "%y%b%d").date()
    except ValueError as exc:
        raise TickerError(f"bad date in ticker {shown(ticker, 80)}") from exc
    series = match["series"]
    event = f"{series}-{match['yy']}{match['mon']}{match['dd']}"
    strike = Decimal(match["strike"]) if match["strike"] is not None else None
    return ParsedTicker(series, event, day, match["kind"], strike)


def bracket_from_ticker(ticker: str, strike_type: str | None = None) -> Bracket:
    """The bracket implied by a market ticker suffix, for legacy rows without strike fields.

    ``B<x>`` is a 2 °F bin [x-0.5, x+0.5]; ``T<n>`` needs ``strike_type`` (greater or less).
    """
    parsed = parse_ticker(ticker)
    if parsed.kind is None or parsed.strike is None:
        raise TickerError(f"{ticker!r} is an event ticker, not a market ticker")
    if parsed.kind == "B":
        half = Decimal("0.5")
        return bracket_from_strikes("between", parsed.strike - half, parsed.strike + half)
    if strike_type not in ("greater", "less"):
        raise TickerError(
            f"{ticker!r}: T-strike needs strike_type greater or less, got {strike_type!r}"
        )
    if strike_type == "greater":
        return bracket_from_strikes("greater", parsed.strike, None)
    return bracket_from_strikes("less", None, parsed.strike)
