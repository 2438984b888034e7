"""The decision engine: one pure function decides whether to buy YES on a temperature ladder.

"Read the thermometer": late in the local-standard-time climate day the running high (low) rarely
moves far, so the bracket holding it, or a tail it has already crossed, is nearly certain. The
live trader calls ``decide`` at each checkpoint; the backtest replays every historical checkpoint
through the same function (``domain.replay``), so the chosen thresholds are tested on exactly the
code that will trade them.

Two rules, picked per station and contract by the thresholds table (``StationThresholds.rule``):

- ``design``: inside the station's window, with a fresh observation, buy the bracket containing
  the running extreme when it has at least ``buffer_f`` °F of headroom to the edge it can still
  cross (upper for HIGH, lower for LOW), the ask is below the station's historical accuracy and
  the edge after fees is at least ``min_edge``.
- ``fair_value``: buy the bracket with the largest ``probability - ask - fee per contract``,
  provided it is at least ``min_edge``.

Money is Decimal throughout; a bracket is priced by ``domain.pricing`` (the size is
``domain.sizing.size_order``, the fee ``domain.fees.trade_fee``), the quote is
``domain.quotes.executable_ask``; the clock is the ``now`` field of the input, turned into
minutes after local-standard-time midnight with the station's fixed standard offset
(``domain.climate_day``), never its daylight-saving zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from domain.brackets import headroom, is_dead, is_decided
from domain.decision_input import DecisionInput
from domain.pricing import PricedOrder, price_order
from domain.risk import RiskState, TradeKey, check, order_pnl
from domain.thresholds import StationThresholds

Action = Literal["BUY_YES", "NO_TRADE"]

ZERO = Decimal(0)
MIN_TIER_ACCURACY = Decimal("0.80")
"""The design's tiers: a contract type whose historical accuracy is below 80% is not traded."""


class Reason(StrEnum):
    """Machine-readable reason codes of a ``Decision`` (risk codes live in ``domain.risk``)."""

    TRADE = "trade"
    VERDICT_KILL = "verdict_kill"
    TIER_SKIP = "tier_skip"
    OUTSIDE_WINDOW = "outside_window"
    NO_RUNNING_EXTREME = "no_running_extreme"
    STALE_OBSERVATION = "stale_observation"
    NO_BRACKET_CONTAINS = "no_bracket_contains"
    LADDER_OVERLAP = "ladder_overlap"
    INSIDE_BUFFER = "inside_buffer"
    NO_QUOTE = "no_quote"
    ASK_ABOVE_ACCURACY = "ask_above_accuracy"
    NO_PROBABILITY = "no_probability"
    EDGE_BELOW_MIN = "edge_below_min"
    STAKE_BELOW_MIN = "stake_below_min"


@dataclass(frozen=True)
class Decision:
    """What ``decide`` concluded; NO_TRADE decisions keep the candidate they rejected, if any.

    Attributes:
        action: ``BUY_YES`` or ``NO_TRADE``.
        reason_code: a ``Reason`` or ``domain.risk.RiskReason`` value (``trade`` for a buy).
        reason: human-readable explanation.
        station_icao: station of the input.
        contract_type: ``HIGH`` or ``LOW``.
        climate_date: climate date of the input.
        checkpoint_minute: minutes after LST midnight of ``now``.
        rule: the rule applied.
        market_ticker: the bought (or, for NO_TRADE, the rejected candidate) market, if any.
        price: the ask paid (or the candidate's ask).
        count: contracts bought; 0 for NO_TRADE.
        fee: taker fee of the order from ``domain.fees.trade_fee``; 0 for NO_TRADE.
        probability: p used for the EV (historical accuracy or model probability).
        expected_value_per_contract: ``p - price - fee / count`` of the (candidate) order.
        candidate_count: contracts the (candidate) order was sized to (``size_order``), also
            for NO_TRADE, so a blocked order's would-be P&L needs no second sizing; 0 when no
            order was priced.
        candidate_fee: the (candidate) order's fee; 0 when no order was priced.
    """

    action: Action
    reason_code: str
    reason: str
    station_icao: str
    contract_type: str
    climate_date: date
    checkpoint_minute: int
    rule: str
    market_ticker: str | None = None
    price: Decimal | None = None
    count: int = 0
    fee: Decimal = ZERO
    probability: Decimal | None = None
    expected_value_per_contract: Decimal | None = None
    candidate_count: int = 0
    candidate_fee: Decimal = ZERO

    @property
    def is_trade(self) -> bool:
        """True for BUY_YES."""
        return self.action == "BUY_YES"

    @property
    def cost(self) -> Decimal:
        """Dollars paid for the contracts (fee excluded); 0 for NO_TRADE."""
        if not self.is_trade or self.price is None:
            return ZERO
        return self.price * self.count

    @property
    def trade_key(self) -> TradeKey:
        """(station, contract type, climate date): the key the risk gate allows one trade on."""
        return (self.station_icao.upper(), self.contract_type.upper(), self.climate_date)

    def settlement_pnl(self, won: bool) -> Decimal:
        """Realised P&L of a BUY_YES decision (``domain.risk.order_pnl`` of its order).

        Args:
            won: whether YES settled YES ($1 per contract).

        Returns:
            The order's P&L in dollars, fee included.
        """
        if not self.is_trade or self.price is None:
            raise ValueError("only a BUY_YES decision has a P&L")
        return order_pnl(self.count, self.price, self.fee, won)


def _stake_bounds(thresholds: StationThresholds, risk: RiskState | None) -> tuple[Decimal, Decimal]:
    # The station may trade a narrower band than the desk-wide limits, never a wider one.
    if risk is None:
        return thresholds.stake_min, thresholds.stake_max
    limits = risk.limits
    return max(thresholds.stake_min, limits.stake_min), min(thresholds.stake_max, limits.stake_max)


def decide(inp: DecisionInput, risk: RiskState | None = None) -> Decision:
    """Decide whether to buy YES on one bracket of the ladder, now.

    Pure and deterministic: no I/O beyond the cached station registry, no clock (time is
    ``inp.now``), Decimal money, the ladder's order does not matter.

    Args:
        inp: the station's thresholds, running extreme, observation age, ladder and clock.
        risk: the risk state; None skips the risk gate (research use).

    Returns:
        A ``BUY_YES`` decision with ticker, price, count, fee and EV, or ``NO_TRADE`` with the
        first reason that stopped it (gates are checked in a fixed order, cheapest first).
    """
    th = inp.thresholds
    minute = inp.checkpoint_minute

    def no_trade(
        code: str, text: str, order: PricedOrder | None = None, p: Decimal | None = None
    ) -> Decision:
        return Decision(
            action="NO_TRADE",
            reason_code=str(code),
            reason=text,
            station_icao=th.station_icao,
            contract_type=inp.contract_type,
            climate_date=inp.climate_date,
            checkpoint_minute=minute,
            rule=th.rule,
            market_ticker=order.quote.market_ticker if order else None,
            price=order.ask if order else None,
            probability=p,
            expected_value_per_contract=order.ev if order else None,
            candidate_count=order.count if order else 0,
            candidate_fee=order.fee if order else ZERO,
        )

    # Configuration gates: the go/kill analysis and the design's tiers switch a contract off.
    if th.verdict == "KILL":
        return no_trade(
            Reason.VERDICT_KILL, "go/kill verdict is KILL for this station and contract"
        )
    if th.tier.upper() == "SKIP" or (th.rule == "design" and th.accuracy < MIN_TIER_ACCURACY):
        return no_trade(
            Reason.TIER_SKIP,
            f"tier {th.tier}, accuracy {th.accuracy} (design needs >= {MIN_TIER_ACCURACY})",
        )

    # Data gates: the thermometer must be read inside the window, and recently.
    if not th.window_start_minute <= minute <= th.window_end_minute:
        return no_trade(
            Reason.OUTSIDE_WINDOW,
            f"checkpoint minute {minute} outside {th.window_start_minute}..{th.window_end_minute}",
        )
    extreme = inp.running_extreme_f
    if extreme is None:
        return no_trade(Reason.NO_RUNNING_EXTREME, "no observation yet this climate day")
    age = inp.observation_age_minutes
    if age is None or age > th.max_obs_age_minutes:
        return no_trade(
            Reason.STALE_OBSERVATION, f"observation age {age} min > {th.max_obs_age_minutes} min"
        )

    stakes = _stake_bounds(th, risk)
    if th.rule == "design":
        result = _design(inp, extreme, stakes, no_trade)
    else:
        result = _fair_value(inp, extreme, stakes, no_trade)
    if isinstance(result, Decision):
        return result
    order, p, text = result

    # Risk gate last, so a blocked decision still shows the trade it would have made.
    if risk is not None:
        blocked = check(
            risk, th.station_icao, inp.contract_type, inp.climate_date, inp.climate_date
        )
        if blocked is not None:
            return no_trade(blocked, f"risk limit: {blocked}; would have bought {text}", order, p)

    return Decision(
        action="BUY_YES",
        reason_code=Reason.TRADE.value,
        reason=f"buy {text}",
        station_icao=th.station_icao,
        contract_type=inp.contract_type,
        climate_date=inp.climate_date,
        checkpoint_minute=minute,
        rule=th.rule,
        market_ticker=order.quote.market_ticker,
        price=order.ask,
        count=order.count,
        fee=order.fee,
        probability=p,
        expected_value_per_contract=order.ev,
        candidate_count=order.count,
        candidate_fee=order.fee,
    )


_NoTrade = Callable[..., Decision]


def _describe(order: PricedOrder, p: Decimal) -> str:
    return (
        f"{order.count} x {order.quote.market_ticker} @ {order.ask} "
        f"(p {p}, fee {order.fee}, EV/contract {order.ev:.4f})"
    )


def _sized(
    order: PricedOrder, stakes: tuple[Decimal, Decimal], p: Decimal, no_trade: _NoTrade
) -> Decision | None:
    if order.count == 0:
        return no_trade(
            Reason.STAKE_BELOW_MIN,
            f"at {order.ask} the most contracts within ${stakes[1]} cost less than ${stakes[0]}",
            order,
            p,
        )
    return None


def _design(
    inp: DecisionInput, extreme: int, stakes: tuple[Decimal, Decimal], no_trade: _NoTrade
) -> Decision | tuple[PricedOrder, Decimal, str]:
    """The design rule: the bracket holding the running extreme, away from its edges, under accuracy.

    The buffer is the headroom in the direction the extreme can still move
    (``domain.brackets.headroom``; SQL twin ``bracket_headroom``, used by the accuracy tables):
    a running high can only cross the upper edge, a running low only the lower one. The other
    edge's risk (the CLI disagreeing with the observations) is priced into the historical
    accuracy instead. A tail open in the direction of travel (HIGH ``greater`` with lower <= max,
    LOW ``less`` with upper >= min) has no such edge: it is decided YES by movement.
    """
    th = inp.thresholds
    holding = [q for q in inp.ladder if q.bracket.contains(extreme)]
    if not holding:
        return no_trade(
            Reason.NO_BRACKET_CONTAINS, f"no bracket of the ladder contains {extreme}°F"
        )
    if len(holding) > 1:
        tickers = sorted(q.market_ticker for q in holding)
        return no_trade(Reason.LADDER_OVERLAP, f"{extreme}°F is in several brackets: {tickers}")
    quote = holding[0]
    room = headroom(quote.bracket, extreme, inp.contract_type)
    # None = unbounded in the direction of travel: nothing to cross.
    if room is not None and room < th.buffer_f:
        return no_trade(
            Reason.INSIDE_BUFFER,
            f"{extreme}°F is {room}°F from the edge of {quote.market_ticker} it can still "
            f"cross, buffer {th.buffer_f}",
        )
    p = th.accuracy
    ask = quote.executable_ask
    if ask is None:
        return no_trade(Reason.NO_QUOTE, f"no ask on {quote.market_ticker}", None, p)
    order = price_order(quote, ask, p, stakes)
    if ask >= th.accuracy:
        return no_trade(
            Reason.ASK_ABOVE_ACCURACY, f"ask {ask} not below accuracy {th.accuracy}", order, p
        )
    sized = _sized(order, stakes, p, no_trade)
    if sized is not None:
        return sized
    if order.ev < th.min_edge:
        return no_trade(
            Reason.EDGE_BELOW_MIN,
            f"EV/contract {order.ev:.4f} after fee < min edge {th.min_edge}",
            order,
            p,
        )
    decided = (
        " (tail already crossed)" if is_decided(quote.bracket, extreme, inp.contract_type) else ""
    )
    return order, p, _describe(order, p) + decided


def _fair_value(
    inp: DecisionInput, extreme: int, stakes: tuple[Decimal, Decimal], no_trade: _NoTrade
) -> Decision | tuple[PricedOrder, Decimal, str]:
    """The fair-value rule: the bracket with the largest ``p - ask - fee/count`` if >= min_edge.

    Brackets the running extreme has already made impossible are skipped whatever the model says
    (a guard against a stale or buggy probability). Ties go to the lowest ticker, so the ladder's
    order never changes the answer.
    """
    th = inp.thresholds
    priced = [q for q in inp.ladder if q.probability is not None]
    if not priced:
        return no_trade(Reason.NO_PROBABILITY, "no market of the ladder has a model probability")
    orders: list[tuple[PricedOrder, Decimal]] = []
    for quote in priced:
        ask = quote.executable_ask
        if ask is None or is_dead(quote.bracket, extreme, inp.contract_type):
            continue
        assert quote.probability is not None  # filtered above; narrows the type
        orders.append((price_order(quote, ask, quote.probability, stakes), quote.probability))
    if not orders:
        return no_trade(Reason.NO_QUOTE, "no live bracket with a model probability has an ask")
    sizable = [(o, p) for o, p in orders if o.count > 0]
    if not sizable:
        order, p = min(orders, key=lambda item: (-item[0].ev, item[0].quote.market_ticker))
        return no_trade(
            Reason.STAKE_BELOW_MIN,
            f"at every ask the most contracts within ${stakes[1]} cost less than ${stakes[0]}",
            order,
            p,
        )
    order, p = min(sizable, key=lambda item: (-item[0].ev, item[0].quote.market_ticker))
    if order.ev < th.min_edge:
        return no_trade(
            Reason.EDGE_BELOW_MIN,
            f"best EV/contract {order.ev:.4f} ({order.quote.market_ticker}) < min edge {th.min_edge}",
            order,
            p,
        )
    return order, p, _describe(order, p)
