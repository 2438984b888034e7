"""``GET /markets/{ticker}/orderbook`` as typed levels (Decimal prices and sizes, best first).

Kalshi returns bids only: the best YES ask is 1 - the best NO bid, and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.money import cents_to_dollars, count, dollars

BOOK_SIDES = ("yes", "no")
_ONE = Decimal(1)


class OrderBookFormatError(ValueError):
    """A book body whose shape is not ``{orderbook_fp: {yes_dollars: [[price, size]...]}}``."""


@dataclass(frozen=True)
class BookLevel:
    """One resting bid: price in dollars, size in contracts (None when the source omits it)."""

    price: Decimal
    size: Decimal | None


@dataclass(frozen=True)
class OrderBook:
    """A market's bids per side, best (highest) first.

    Attributes:
        market_ticker: the market.
        yes_bids: YES bids, best first.
        no_bids: NO bids, best first.
    """

    market_ticker: str
    yes_bids: tuple[BookLevel, ...]
    no_bids: tuple[BookLevel, ...]

    def bids(self, side: str) -> tuple[BookLevel, ...]:
        """The bids of ``side`` (``yes`` or ``no``), best first."""
        if side not in BOOK_SIDES:
            raise ValueError(f"unknown book side {side!r}")
        return self.yes_bids if side == "yes" else self.no_bids

    @property
    def best_yes_ask(self) -> Decimal | None:
        """1 - the best NO bid; None when nobody bids NO (no quote)."""
        return _ONE - self.no_bids[0].price if self.no_bids else None

    @property
    def best_no_ask(self) -> Decimal | None:
        """1 - the best YES bid; None when nobody bids YES (no quote)."""
        return _ONE - self.yes_bids[0].price if self.yes_bids else None


def parse_orderbook_body(market_ticker: str, body: dict[str, Any]) -> OrderBook:
    """Parse an order-book body: ``orderbook_fp`` (dollar strings) or legacy ``orderbook`` (cents).

    Args:
        market_ticker: the market the book belongs to.
        body: the decoded JSON.

    Returns:
        The book; levels sorted by price, best first (equal prices keep their order).

    Raises:
        OrderBookFormatError: the shape is wrong.
        domain.money.MoneyFormatError: a price or size is not a valid number.
    """
    book = body.get("orderbook_fp")
    legacy = book is None
    if legacy:
        book = body.get("orderbook") or {}
    if not isinstance(book, dict):
        raise OrderBookFormatError("orderbook is not an object")
    sides: dict[str, tuple[BookLevel, ...]] = {}
    for side in BOOK_SIDES:
        levels: list[BookLevel] = []
        for level in book.get(side if legacy else f"{side}_dollars") or []:
            if not isinstance(level, list | tuple) or len(level) != 2:
                raise OrderBookFormatError(f"{side} level not a [price, size] pair: {level!r}")
            label = f"{side}.price"
            price = cents_to_dollars(level[0], label) if legacy else dollars(level[0], label)
            if price is None:
                raise OrderBookFormatError(f"{label}: missing")
            levels.append(BookLevel(price, count(level[1], f"{side}.size")))
        levels.sort(key=lambda item: item.price, reverse=True)
        sides[side] = tuple(levels)
    return OrderBook(market_ticker, sides["yes"], sides["no"])
