"""Signed reads of our Kalshi portfolio: orders, fills, positions, settlements, every page.

The exchange's read path can lag its write path (kalshi.md, "Orders, late 2026"): a read that
misses a just-written order proves nothing on its own; ``user_data_timestamp`` says how fresh
these endpoints are. Reads use the client's retry policy; objects are parsed by
``adapters.kalshi.orders`` (a malformed one raises ``OrderFormatError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from adapters.kalshi.client import KalshiClient
from adapters.kalshi.fields import instant, json_object
from adapters.kalshi.orders import (
    VenueFill,
    VenueOrder,
    VenuePosition,
    VenueSettlement,
    parse_fill,
    parse_order,
    parse_position,
    parse_settlement,
)

PORTFOLIO_PAGE_LIMIT = 1000
T = TypeVar("T")


def _seconds(at: datetime | None) -> int | None:
    """Unix seconds of an aware instant (the portfolio filters' unit)."""
    if at is None:
        return None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("min_ts must be a timezone-aware datetime")
    return int(at.timestamp())


class KalshiPortfolio:
    """Our orders, fills, positions and settlements on the exchange (signed, all pages).

    Args:
        client: a signed ``KalshiClient``.
    """

    def __init__(self, client: KalshiClient) -> None:
        self.client = client

    def _all(
        self, path: str, key: str, params: dict[str, Any], parse: Callable[[object], T]
    ) -> list[T]:
        query = {"limit": PORTFOLIO_PAGE_LIMIT, **params}
        # complete: a listing cut short would make one of our orders look absent.
        items: Iterator[Any] = self.client.paginate(path, key, query, auth=True, complete=True)
        return [parse(item) for item in items]

    def orders(
        self,
        *,
        ticker: str | None = None,
        min_ts: datetime | None = None,
        status: str | None = None,
    ) -> list[VenueOrder]:
        """``GET /portfolio/orders``, every page.

        Args:
            ticker: only this market.
            min_ts: only orders created at or after (aware).
            status: ``resting``, ``canceled`` or ``executed``.

        Returns:
            The orders as the exchange lists them (newest first).

        Raises:
            KalshiError: the read failed for good.
            OrderFormatError: an order object is malformed.
        """
        params = {"ticker": ticker, "min_ts": _seconds(min_ts), "status": status}
        return self._all("/portfolio/orders", "orders", params, parse_order)

    def order_by_client_id(
        self, client_order_id: str, ticker: str | None = None
    ) -> VenueOrder | None:
        """Our order with ``client_order_id``: there is no server filter, so page and match.

        Args:
            client_order_id: the id we sent.
            ticker: narrows the listing to the order's market (cheaper; same answer).

        Returns:
            The order, or None when the exchange does not list it (yet: reads lag).

        Raises:
            KalshiError: the read failed for good.
            OrderFormatError: an order object is malformed.
        """
        for order in self.orders(ticker=ticker):
            if order.client_order_id == client_order_id:
                return order
        return None

    def fills(
        self,
        *,
        order_id: str | None = None,
        ticker: str | None = None,
        min_ts: datetime | None = None,
    ) -> list[VenueFill]:
        """``GET /portfolio/fills``, every page.

        Args:
            order_id: only this order's fills.
            ticker: only this market.
            min_ts: only fills at or after (aware; the filter may be exclusive: overlap windows).

        Returns:
            The fills (newest first), possibly repeated across overlapping reads: dedupe on
            ``fill_id``.

        Raises:
            KalshiError: the read failed for good.
            OrderFormatError: a fill object is malformed.
        """
        params = {"order_id": order_id, "ticker": ticker, "min_ts": _seconds(min_ts)}
        return self._all("/portfolio/fills", "fills", params, parse_fill)

    def positions(self) -> list[VenuePosition]:
        """``GET /portfolio/positions`` market positions, every page.

        Raises:
            KalshiError: the read failed for good.
            OrderFormatError: a position object is malformed.
        """
        return self._all("/portfolio/positions", "market_positions", {}, parse_position)

    def settlements(self, *, min_ts: datetime | None = None) -> list[VenueSettlement]:
        """``GET /portfolio/settlements``, every page.

        Args:
            min_ts: only settlements at or after (aware).

        Raises:
            KalshiError: the read failed for good.
            OrderFormatError: a settlement object is malformed.
        """
        params = {"min_ts": _seconds(min_ts)}
        return self._all("/portfolio/settlements", "settlements", params, parse_settlement)

    def user_data_timestamp(self) -> datetime | None:
        """``GET /exchange/user_data_timestamp``: when orders, fills, positions and the balance
        were last validated (``as_of_time``); None when the exchange does not say.

        Raises:
            KalshiError: the read failed for good.
            OrderFormatError: the body is not an object or the time is unreadable.
        """
        body = self.client.get("/exchange/user_data_timestamp", auth=True)
        if body is None:
            return None
        return instant(
            json_object(body, "user data timestamp"), "user data timestamp", "as_of_time"
        )
