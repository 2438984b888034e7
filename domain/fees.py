"""Kalshi trading fees: the one fee function (its SQL twin is the ``kalshi_fee`` dbt macro)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Literal

from domain.money import CENT

TAKER_RATE = Decimal("0.07")
MAKER_RATE = Decimal("0.0175")
MAKER_FEE_TYPES = frozenset({"quadratic_with_maker_fees"})

Role = Literal["taker", "maker"]


def trade_fee(
    count: Decimal | int,
    price: Decimal,
    *,
    role: Role = "taker",
    fee_type: str = "quadratic",
    fee_multiplier: Decimal = Decimal(1),
) -> Decimal:
    """Fee in dollars for one order of ``count`` contracts at ``price``.

    Taker: 0.07 x C x P x (1-P); maker: 0.0175 x C x P x (1-P) only when the series'
    fee_type charges makers. The series multiplier scales the rate. Rounded up to the
    cent per order, never per contract.

    Args:
        count: contracts in the order.
        price: price per contract in dollars, 0..1.
        role: taker or maker.
        fee_type: the series' fee_type.
        fee_multiplier: the series' fee_multiplier.

    Returns:
        The fee in dollars, a whole number of cents.
    """
    if not Decimal(0) <= price <= Decimal(1):
        raise ValueError(f"price {price} outside [0, 1]")
    if role == "maker" and fee_type not in MAKER_FEE_TYPES:
        return Decimal("0.00")
    rate = TAKER_RATE if role == "taker" else MAKER_RATE
    raw = rate * fee_multiplier * Decimal(count) * price * (Decimal(1) - price)
    return raw.quantize(CENT, rounding=ROUND_CEILING)
