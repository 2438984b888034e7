"""The decision engine's view of every bracket of a ladder, for an operator reading the market.

``decide`` answers one question (buy which bracket, or why not). An operator checking the
market by hand wants the same numbers per bracket: where the running extreme sits, the headroom
the engine measures, the probability it would price the bracket at, and the edge after fees of
the order the stake limits allow. They are computed with the engine's own pieces
(``domain.brackets``, ``domain.pricing``), so they cannot drift from what it trades on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.brackets import headroom, is_dead
from domain.decision_input import LadderQuote
from domain.pricing import PricedOrder, price_order
from domain.thresholds import StationThresholds

ZERO = Decimal(0)


@dataclass(frozen=True)
class BracketView:
    """One bracket as the engine sees it.

    Attributes:
        quote: the bracket's quote (ticker, bracket, bid, ask).
        holds_extreme: the running extreme is inside the bracket.
        dead: the running extreme has already ruled the bracket out.
        headroom_f: degrees the extreme can still move before leaving the bracket (None when it
            is not inside, or the bracket is open in the direction of travel).
        probability: the probability the engine prices the bracket at: the station's accuracy
            for the bracket holding the extreme (design rule), the model's (fair value), 0 for a
            dead bracket; None when the rule gives the bracket no price.
        order: the order the stake limits allow at the ask, with its fee and edge (None
            without an ask or a probability).
    """

    quote: LadderQuote
    holds_extreme: bool
    dead: bool
    headroom_f: int | None
    probability: Decimal | None
    order: PricedOrder | None


def ladder_view(
    ladder: tuple[LadderQuote, ...],
    contract_type: str,
    running_extreme_f: int | None,
    thresholds: StationThresholds | None,
) -> tuple[BracketView, ...]:
    """Every bracket of a ladder with the engine's numbers, lowest bracket first.

    Args:
        ladder: the quotes (``DecisionInput.ladder``).
        contract_type: ``HIGH`` or ``LOW``.
        running_extreme_f: the running extreme, None before the first observation.
        thresholds: the station's thresholds row; None = no row, so no bracket is priced
            beyond the dead ones.

    Returns:
        One view per quote.
    """
    views: list[BracketView] = []
    for quote in ladder:
        extreme = running_extreme_f
        holds = extreme is not None and quote.bracket.contains(extreme)
        dead = extreme is not None and is_dead(quote.bracket, extreme, contract_type)
        room = headroom(quote.bracket, extreme, contract_type) if extreme is not None else None
        p: Decimal | None = None
        if dead:
            p = ZERO
        elif thresholds is not None and thresholds.rule == "design":
            p = thresholds.accuracy if holds else None
        elif thresholds is not None:
            p = quote.probability
        ask = quote.executable_ask
        order = None
        if thresholds is not None and ask is not None and p is not None:
            order = price_order(quote, ask, p, (thresholds.stake_min, thresholds.stake_max))
        views.append(BracketView(quote, holds, dead, room, p, order))
    return tuple(sorted(views, key=lambda v: _bracket_order(v.quote)))


def _bracket_order(quote: LadderQuote) -> tuple[int, int, str]:
    lower = quote.bracket.lower
    upper = quote.bracket.upper
    return (
        -(10**6) if lower is None else lower,
        10**6 if upper is None else upper,
        quote.market_ticker,
    )
