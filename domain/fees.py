"""Kalshi trading fees: the one fee rule (its SQL twin is the ``kalshi_fee`` dbt macro).

Kalshi computes a fee per fill to $0.0001 and rounds the ORDER's total up to whole cents (a
per-order accumulator rebates the excess; docs/venues.md, "Fees"), never per contract and never
per fill to the cent. An order filled at one price costs ``trade_fee``; one filled at several prices
costs ``order_fee`` over all its fills.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from typing import Literal

from domain.money import CENT

TAKER_RATE = Decimal("0.07")
MAKER_RATE = Decimal("0.0175")
MAKER_FEE_TYPES = frozenset({"quadratic_with_maker_fees"})
FILL_FEE_TICK = Decimal("0.0001")
"""The precision of one fill's fee before the order's total is rounded to the cent."""

Role = Literal["taker", "maker"]

ZERO = Decimal(0)
ONE = Decimal(1)
NO_FEE = Decimal("0.00")
# One-price fees by (count, price, role, fee_type, multiplier): the engine prices the same few
# asks and counts at every checkpoint. Equal keys give equal fees (the fee is quantized to the
# cent), so a Decimal's exponent never matters; the bound keeps memory flat.
_TRADE_FEE_CACHE = 65536


def order_fee(
    fills: Iterable[tuple[Decimal | int, Decimal]],
    *,
    role: Role = "taker",
    fee_type: str = "quadratic",
    fee_multiplier: Decimal = Decimal(1),
) -> Decimal:
    """Fee in dollars for one order filled as ``(count, price)`` fills, possibly at several prices.

    Per fill: taker 0.07 x C x P x (1-P); maker 0.0175 x C x P x (1-P) only when the series'
    fee_type charges makers; the series multiplier scales the rate; rounded up to $0.0001.
    The order's total is rounded up to the cent.

    Args:
        fills: ``(contracts, price per contract in dollars 0..1)`` per fill.
        role: taker or maker.
        fee_type: the series' fee_type.
        fee_multiplier: the series' fee_multiplier.

    Returns:
        The order's fee in dollars, a whole number of cents (0.00 for no fills).

    Raises:
        ValueError: a price outside [0, 1].
    """
    fills = tuple(fills)
    for _, price in fills:
        if not ZERO <= price <= ONE:
            raise ValueError(f"price {price} outside [0, 1]")
    if role == "maker" and fee_type not in MAKER_FEE_TYPES:
        return NO_FEE
    rate = (TAKER_RATE if role == "taker" else MAKER_RATE) * fee_multiplier
    total = sum(
        (
            (rate * Decimal(count) * price * (ONE - price)).quantize(
                FILL_FEE_TICK, rounding=ROUND_CEILING
            )
            for count, price in fills
        ),
        ZERO,
    )
    return total.quantize(CENT, rounding=ROUND_CEILING)


def trade_fee(
    count: Decimal | int,
    price: Decimal,
    *,
    role: Role = "taker",
    fee_type: str = "quadratic",
    fee_multiplier: Decimal = Decimal(1),
) -> Decimal:
    """Fee in dollars for one order of ``count`` contracts at one ``price`` (``order_fee``).

    Args:
        count: contracts in the order.
        price: price per contract in dollars, 0..1.
        role: taker or maker.
        fee_type: the series' fee_type.
        fee_multiplier: the series' fee_multiplier.

    Returns:
        The fee in dollars, a whole number of cents.
    """
    return _one_price_fee(count, price, role, fee_type, fee_multiplier)


@lru_cache(maxsize=_TRADE_FEE_CACHE)
def _one_price_fee(
    count: Decimal | int, price: Decimal, role: Role, fee_type: str, fee_multiplier: Decimal
) -> Decimal:
    # Positional, so the cache key is cheap; a refused price raises and is never cached.
    return order_fee([(count, price)], role=role, fee_type=fee_type, fee_multiplier=fee_multiplier)
