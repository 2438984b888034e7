"""Executable prices and depth of a Kalshi book (``adapters.kalshi.orderbook.OrderBook``).

The book holds bids only. Buying YES means hitting a NO bid: a NO bid at ``p`` for ``n``
contracts is a YES ask at ``1 - p`` for ``n`` (kalshi.md §7). Every price passes through
``domain.quotes`` so the empty-book 0 / 1 is never a price, and a level whose size the source
omits counts as no depth (we never trade against a size we cannot see).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adapters.kalshi.orderbook import OrderBook
from domain.quotes import executable_ask, executable_bid

ONE = Decimal(1)


@dataclass(frozen=True)
class AskLevel:
    """One executable YES ask: price in dollars and the contracts available at it."""

    price: Decimal
    size: Decimal


def yes_asks(book: OrderBook) -> tuple[AskLevel, ...]:
    """Executable YES asks, best (lowest) first, from the NO bids.

    Args:
        book: the market's book (bids best first, as the adapter parses them).

    Returns:
        ``(1 - NO bid, its size)`` per NO level that is a real quote with a positive size.
    """
    asks = []
    for level in book.no_bids:
        ask = executable_ask(ONE - level.price)
        if ask is not None and level.size is not None and level.size > 0:
            asks.append(AskLevel(ask, level.size))
    return tuple(sorted(asks, key=lambda level: level.price))


def best_yes_ask(book: OrderBook) -> AskLevel | None:
    """The lowest executable YES ask with its depth, or None (no quote)."""
    asks = yes_asks(book)
    return asks[0] if asks else None


def best_yes_bid(book: OrderBook) -> Decimal | None:
    """The highest executable YES bid, or None."""
    for level in book.yes_bids:
        bid = executable_bid(level.price)
        if bid is not None and level.size is not None and level.size > 0:
            return bid
    return None
