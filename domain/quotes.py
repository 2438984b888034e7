"""The "no quote" rule: which Kalshi book prices are real quotes. SQL twins in ``quotes.sql``.

Kalshi reports an empty side of the book as a YES bid of 0 and a YES ask of 1 (docs/venues.md,
"Empty book"), so neither is a price anyone can trade at. Staging applies this once
(``stg_kalshi__candles``, and ``int_market_quotes`` for order books); downstream models and the
engine trust it, and live books go through the same functions (``adapters.kalshi.orderbook``).
"""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def executable_ask(yes_ask: Decimal | None) -> Decimal | None:
    """The YES ask we could buy at, or None: no ask, the empty-book 1, or a non-positive price."""
    if yes_ask is None or not ZERO < yes_ask < ONE:
        return None
    return yes_ask


def executable_bid(yes_bid: Decimal | None) -> Decimal | None:
    """The YES bid we could sell at, or None: no bid, the empty-book 0, or a price of 1 or more."""
    if yes_bid is None or not ZERO < yes_bid < ONE:
        return None
    return yes_bid
