"""``GET /markets/{ticker}/orderbook`` as typed levels (Decimal prices and sizes, best first).

Kalshi returns bids only. Buying YES means hitting a NO bid: a NO bid at ``p`` for ``n``
contracts is a YES ask at ``1 - p`` for ``n`` (docs/venues.md, "Order books"). Every executable
price passes through ``domain.quotes``, so the empty-book 0 / 1 is never a price, and a level whose size the
source omits (or is 0) counts as no depth: nobody trades against a size they cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.money import cents_to_dollars, count, dollars
from domain.quotes import executable_ask, executable_bid

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
class AskLevel:
    """One executable YES ask: price in dollars and the contracts available at it."""

    price: Decimal
    size: Decimal


def _depth(level: BookLevel) -> Decimal | None:
    """The level's size when it is a positive, visible one; else None (no depth)."""
    return level.size if level.size is not None and level.size > 0 else None


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
    def yes_asks(self) -> tuple[AskLevel, ...]:
        """Executable YES asks, best (lowest) first: ``(1 - NO bid, its size)`` per NO level
        that is a real quote (``domain.quotes.executable_ask``) with a positive size."""
        asks = []
        for level in self.no_bids:
            ask, size = executable_ask(_ONE - level.price), _depth(level)
            if ask is not None and size is not None:
                asks.append(AskLevel(ask, size))
        return tuple(sorted(asks, key=lambda level: level.price))

    @property
    def best_yes_ask(self) -> Decimal | None:
        """The lowest executable YES ask with depth; None when there is none (no quote)."""
        asks = self.yes_asks
        return asks[0].price if asks else None

    @property
    def best_yes_bid(self) -> Decimal | None:
        """The highest executable YES bid with depth (``domain.quotes.executable_bid``), or None."""
        for level in self.yes_bids:
            bid = executable_bid(level.price)
            if bid is not None and _depth(level) is not None:
                return bid
        return None

    @property
    def best_no_ask(self) -> Decimal | None:
        """1 - the best executable YES bid; None when there is none (no quote)."""
        bid = self.best_yes_bid
        return None if bid is None else _ONE - bid


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
