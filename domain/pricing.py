"""Pricing one bracket: the order the stake limits allow at an ask, its fee and its edge.

The decision engine (``domain.decision``) and the manual ladder view (``domain.ladder_view``)
price brackets here, so the edge an operator reads is the edge the engine trades on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from domain.decision_input import LadderQuote
from domain.fees import trade_fee
from domain.sizing import size_order

ZERO = Decimal(0)


def edge(probability: Decimal, ask: Decimal, fee: Decimal, count: int) -> Decimal:
    """Expected value per contract after the fee: ``p - ask - fee / count``."""
    # Exact-enough and independent of whatever Decimal context the caller has set: determinism.
    with localcontext() as ctx:
        ctx.prec = 28
        return probability - ask - fee / Decimal(count)


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
    count = size_order(ask, *stakes)
    if count == 0:
        return PricedOrder(quote, ask, 0, ZERO, p - ask)
    fee = trade_fee(
        count, ask, role="taker", fee_type=quote.fee_type, fee_multiplier=quote.fee_multiplier
    )
    return PricedOrder(quote, ask, count, fee, edge(p, ask, fee, count))
