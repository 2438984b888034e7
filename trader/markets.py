"""Today's event ladders and their books from Kalshi (``adapters.kalshi``), as ``LadderQuote``s.

The event of a series on a climate date is ``domain.tickers.event_ticker`` (docs/venues.md, "Tickers").
``GET /events/{ticker}`` gives the nested markets; their brackets come from the strike fields
(or, when a payload omits them, from the ticker suffix), their prices from each market's book:
the executable YES ask is 1 - the best NO bid (``OrderBook.best_yes_ask``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.kalshi.client import KalshiClient
from adapters.kalshi.orderbook import OrderBook
from domain.brackets import Bracket, BracketError, bracket_from_strikes
from domain.decision_input import LadderQuote
from domain.money import parse_decimal
from domain.tickers import TickerError, bracket_from_ticker, event_ticker
from trader.payloads import shaped

log = logging.getLogger(__name__)

TRADABLE_STATUSES = frozenset({"active", "open"})


@dataclass(frozen=True)
class LadderMarket:
    """One tradable market of an event: its ticker and bracket."""

    market_ticker: str
    bracket: Bracket


@dataclass(frozen=True)
class SeriesFees:
    """A series' fee schedule, read at decision time (docs/venues.md, "Fees")."""

    fee_type: str = "quadratic"
    fee_multiplier: Decimal = Decimal(1)


def ladder_markets(markets: tuple[dict[str, Any], ...]) -> tuple[LadderMarket, ...]:
    """The tradable markets of an event payload with their brackets.

    Args:
        markets: the event's market objects as the API sent them.

    Returns:
        Markets whose status is active/open and whose bracket is readable; others are logged
        and left out (a ladder with a hole can still be traded on its readable brackets).
    """
    out: list[LadderMarket] = []
    for market in markets:
        ticker = str(market.get("ticker") or market.get("ticker_name") or "")
        if str(market.get("status") or "").lower() not in TRADABLE_STATUSES:
            continue
        strike_type = market.get("strike_type")
        try:
            if market.get("floor_strike") is not None or market.get("cap_strike") is not None:
                floor, cap = market.get("floor_strike"), market.get("cap_strike")
                bracket = bracket_from_strikes(str(strike_type), floor, cap)
            else:
                bracket = bracket_from_ticker(ticker, strike_type and str(strike_type))
        except (BracketError, TickerError) as exc:
            log.warning("market %s left out of the ladder: %s", ticker or "?", exc)
            continue
        out.append(LadderMarket(ticker, bracket))
    return tuple(out)


def ladder_quote(market: LadderMarket, book: OrderBook, fees: SeriesFees) -> LadderQuote:
    """The ``LadderQuote`` of a market from its current book (None ask = no quote)."""
    return LadderQuote(
        market_ticker=market.market_ticker,
        bracket=market.bracket,
        yes_ask=book.best_yes_ask,
        yes_bid=book.best_yes_bid,
        fee_type=fees.fee_type,
        fee_multiplier=fees.fee_multiplier,
    )


class KalshiMarkets:
    """Event ladders, books and series fees through the shared Kalshi client.

    Args:
        client: an ``adapters.kalshi.client.KalshiClient`` (signed: order books need auth).
    """

    def __init__(self, client: KalshiClient) -> None:
        self.client = client

    def ladder(self, series_ticker: str, climate_date: date) -> tuple[LadderMarket, ...]:
        """The tradable markets of the series' event on ``climate_date`` (``PayloadError``
        when the body is not the documented shape)."""
        event = event_ticker(series_ticker, climate_date)
        return shaped(
            f"GET /events/{event}", lambda: ladder_markets(self.client.event(event).markets)
        )

    def book(self, market_ticker: str) -> OrderBook:
        """The market's current book (``GET /markets/{t}/orderbook``)."""
        return shaped(
            f"GET /markets/{market_ticker}/orderbook",
            lambda: self.client.orderbook(market_ticker),
        )

    def fees(self, series_ticker: str) -> SeriesFees:
        """The series' fee_type and fee_multiplier, read at decision time (fees can change)."""
        return shaped(f"GET /series/{series_ticker}", lambda: self._fees(series_ticker))

    def _fees(self, series_ticker: str) -> SeriesFees:
        body = self.client.get(f"/series/{series_ticker}") or {}
        series = body.get("series") or {}
        multiplier = parse_decimal(series.get("fee_multiplier"), "fee_multiplier")
        return SeriesFees(
            str(series.get("fee_type") or "quadratic"),
            Decimal(1) if multiplier is None else multiplier,
        )
