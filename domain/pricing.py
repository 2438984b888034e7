"""Pricing one bracket: the order the stake limits allow at an ask, its fee and its edge.

The decision engine (``domain.decision``) and the manual ladder view (``domain.ladder_view``)
price brackets here, so the edge an operator reads is the edge the engine trades on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from functools import lru_cache

from domain.decision_input import LadderQuote
from domain.fees import trade_fee
from domain.sizing import size_order

ZERO = Decimal(0)
# Exact-enough and independent of whatever Decimal context the caller has set: determinism.
# A private context's methods round the same as ``localcontext(prec=28)`` without entering one.
_EDGE = Context(prec=28)
# Sized orders by (ask, stakes, fee schedule): the same few asks recur at every checkpoint.
_SIZED_CACHE = 65536


@dataclass(frozen=True)
class PricedOrder:
    """A candidate buy of YES on one bracket.

    Attributes:
        quote: the bracket's quote.
        ask: the executable YES ask paid.
        count: contracts within the stake limits (0: below ``stake_min``).
        fee: the taker fee of ``count`` contracts at ``ask``.
        ev: expected value per contract after the fee (``p - ask`` when ``count`` is 0).
    """

    quote: LadderQuote
    ask: Decimal
    count: int
    fee: Decimal
    ev: Decimal


@lru_cache(maxsize=_SIZED_CACHE)
def sized_order(
    ask: Decimal, stake_min: Decimal, stake_max: Decimal, fee_type: str, fee_multiplier: Decimal
) -> tuple[int, Decimal, Decimal | None]:
    """The count, taker fee and fee per contract of a buy at ``ask`` (cached).

    Equal arguments give equal results whatever their Decimal exponents (the count is whole, the
    fee quantized to the cent), so the cache never changes an answer.

    Args:
        ask: the executable ask.
        stake_min: the smallest acceptable cost.
        stake_max: the largest acceptable cost.
        fee_type: the series' fee_type.
        fee_multiplier: the series' fee_multiplier.

    Returns:
        ``(count, fee, fee / count)``; ``(0, 0, None)`` when the order is below ``stake_min``.
    """
    count = size_order(ask, stake_min, stake_max)
    if count == 0:
        return 0, ZERO, None
    fee = trade_fee(count, ask, role="taker", fee_type=fee_type, fee_multiplier=fee_multiplier)
    return count, fee, _EDGE.divide(fee, Decimal(count))


def order_edge(p: Decimal, ask: Decimal, per_contract_fee: Decimal | None) -> Decimal:
    """Expected value per contract after the fee, from a ``sized_order`` result.

    Args:
        p: the probability the bracket settles YES.
        ask: the ask paid.
        per_contract_fee: ``fee / count`` of ``sized_order``; None for an unsized order.

    Returns:
        ``p - ask - fee / count``, or ``p - ask`` when unsized.
    """
    if per_contract_fee is None:
        return p - ask
    return _EDGE.subtract(_EDGE.subtract(p, ask), per_contract_fee)


def price_order(
    quote: LadderQuote, ask: Decimal, p: Decimal, stakes: tuple[Decimal, Decimal]
) -> PricedOrder:
    """Size and price a buy of YES at ``ask`` with probability ``p``.

    Args:
        quote: the bracket's quote (its series' fee schedule).
        ask: the executable ask.
        p: the probability the bracket settles YES.
        stakes: ``(stake_min, stake_max)`` dollars.

    Returns:
        The priced order.
    """
    count, fee, per_contract = sized_order(
        ask, stakes[0], stakes[1], quote.fee_type, quote.fee_multiplier
    )
    return PricedOrder(quote, ask, count, fee, order_edge(p, ask, per_contract))
