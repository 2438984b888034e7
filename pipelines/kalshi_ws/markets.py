"""Which markets the recorder follows: the open markets of every registry temperature series."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from adapters.kalshi import settings as api
from adapters.kalshi.client import KalshiClient
from domain.stations import Station

log = logging.getLogger(__name__)


def temperature_series(stations: Iterable[Station]) -> list[str]:
    """The current high and low series of each station (legacy series list no open markets)."""
    series: list[str] = []
    for station in stations:
        for ticker in (station.high_series_ticker, station.low_series_ticker):
            if ticker and ticker not in series:
                series.append(ticker)
    return series


def open_markets(client: KalshiClient, series: Sequence[str]) -> set[str]:
    """``GET /markets?series_ticker=…&status=open`` for each series: the open market tickers.

    Args:
        client: the REST client.
        series: series tickers.

    Returns:
        The tickers.
    """
    tickers: set[str] = set()
    for series_ticker in series:
        params = {"series_ticker": series_ticker, "status": "open", "limit": api.MARKETS_PAGE_LIMIT}
        for market in client.paginate("/markets", "markets", params):
            ticker = market.get("ticker")
            if isinstance(ticker, str) and ticker:
                tickers.add(ticker)
    log.debug("%d open markets in %d series", len(tickers), len(series))
    return tickers
