"""Kalshi weather ticker grammar: ``<SERIES>-<YY><MON><DD>[-B<x.5>|-T<n>]``.

The event's climate date comes from the ticker, never from close_time (which falls on the
next UTC day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.brackets import Bracket, bracket_from_strikes

_TICKER = re.compile(
    r"^(?P<series>[A-Z]+)-(?P<yy>\d{2})(?P<mon>[A-Z]{3})(?P<dd>\d{2})"
    r"(?:-(?P<kind>[BT])(?P<strike>-?\d+(?:\.\d+)?))?$"
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


def parse_ticker(ticker: str) -> ParsedTicker:
    """Split an event or market ticker into series, event, climate date and strike suffix."""
    match = _TICKER.match(ticker.strip().upper())
    if match is None:
        raise TickerError(f"malformed weather ticker {ticker!r}")
    try:
        day = datetime.strptime(match["yy"] + match["mon"].title() + match["dd"], "%y%b%d").date()
    except ValueError as exc:
        raise TickerError(f"bad date in ticker {ticker!r}") from exc
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
