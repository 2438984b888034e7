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

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from domain.brackets import headroom, is_dead, is_decided
from domain.checkpoint_clock import checkpoint_minute
from domain.decision_input import DecisionInput
from domain.pricing import order_edge, sized_order
from domain.quotes import executable_ask
from domain.risk import RiskState, TradeKey, check, order_pnl

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


# A candidate order: (ticker, ask, count, fee, EV per contract) of the bracket a rule picked.
_Order = tuple[str, Decimal, int, Decimal, Decimal]
# What the gates and the rule concluded: (reason code, None for a buy; text; the candidate
# order, if one was priced; the probability used).
_Outcome = tuple[str | None, str, _Order | None, Decimal | None]
_new = object.__new__


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
    minute = checkpoint_minute(inp.now, inp.climate_date, th.station_icao)
    code, text, order, p = _evaluate(inp, minute, risk)
    # Risk gate last, so a blocked decision still shows the trade it would have made.
    if code is None and risk is not None:
        blocked = check(
            risk, th.station_icao, inp.contract_type, inp.climate_date, inp.climate_date
        )
        if blocked is not None:
            code, text = blocked, f"risk limit: {blocked}; would have bought {text}"
    ticker, ask, count, fee, ev = (None, None, 0, ZERO, None) if order is None else order
    # Filled like the frozen dataclass's __init__ would (same fields, same values), without its
    # one object.__setattr__ per field: the largest single cost of a decide call.
    decision: Decision = _new(Decision)
    decision.__dict__.update(
        action="NO_TRADE" if code is not None else "BUY_YES",
        reason_code=str(code) if code is not None else Reason.TRADE.value,
        reason=text if code is not None else f"buy {text}",
        station_icao=th.station_icao,
        contract_type=inp.contract_type,
        climate_date=inp.climate_date,
        checkpoint_minute=minute,
        rule=th.rule,
        market_ticker=ticker,
        price=ask,
        count=0 if code is not None else count,
        fee=ZERO if code is not None else fee,
        probability=p,
        expected_value_per_contract=ev,
        candidate_count=count,
        candidate_fee=fee,
    )
    return decision


def _evaluate(inp: DecisionInput, minute: int, risk: RiskState | None) -> _Outcome:
    """Every gate before the risk limits, then the thresholds' rule."""
    th = inp.thresholds
    # Configuration gates: the go/kill analysis and the design's tiers switch a contract off.
    if th.verdict == "KILL":
        return (
            Reason.VERDICT_KILL,
            "go/kill verdict is KILL for this station and contract",
            None,
            None,
        )
    if th.tier.upper() == "SKIP" or (th.rule == "design" and th.accuracy < MIN_TIER_ACCURACY):
        text = f"tier {th.tier}, accuracy {th.accuracy} (design needs >= {MIN_TIER_ACCURACY})"
        return Reason.TIER_SKIP, text, None, None

    # Data gates: the thermometer must be read inside the window, and recently.
    if not th.window_start_minute <= minute <= th.window_end_minute:
        text = (
            f"checkpoint minute {minute} outside {th.window_start_minute}..{th.window_end_minute}"
        )
        return Reason.OUTSIDE_WINDOW, text, None, None
    extreme = inp.running_extreme_f
    if extreme is None:
        return Reason.NO_RUNNING_EXTREME, "no observation yet this climate day", None, None
    age = inp.observation_age_minutes
    if age is None or age > th.max_obs_age_minutes:
        text = f"observation age {age} min > {th.max_obs_age_minutes} min"
        return Reason.STALE_OBSERVATION, text, None, None

    # The station may trade a narrower band than the desk-wide limits, never a wider one
    # (max/min written out: an equal bound keeps the station's digits, as max() would).
    stake_min, stake_max = th.stake_min, th.stake_max
    if risk is not None:
        limits = risk.limits
        if limits.stake_min > stake_min:
            stake_min = limits.stake_min
        if limits.stake_max < stake_max:
            stake_max = limits.stake_max
    if th.rule == "design":
        return _design(inp, extreme, stake_min, stake_max)
    return _fair_value(inp, extreme, stake_min, stake_max)


def _describe(order: _Order, p: Decimal) -> str:
    ticker, ask, count, fee, ev = order
    return f"{count} x {ticker} @ {ask} (p {p}, fee {fee}, EV/contract {ev:.4f})"


def _design(inp: DecisionInput, extreme: int, stake_min: Decimal, stake_max: Decimal) -> _Outcome:
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
        return (
            Reason.NO_BRACKET_CONTAINS,
            f"no bracket of the ladder contains {extreme}°F",
            None,
            None,
        )
    if len(holding) > 1:
        tickers = sorted(q.market_ticker for q in holding)
        return Reason.LADDER_OVERLAP, f"{extreme}°F is in several brackets: {tickers}", None, None
    quote = holding[0]
    room = headroom(quote.bracket, extreme, inp.contract_type)
    # None = unbounded in the direction of travel: nothing to cross.
    if room is not None and room < th.buffer_f:
        text = (
            f"{extreme}°F is {room}°F from the edge of {quote.market_ticker} it can still "
            f"cross, buffer {th.buffer_f}"
        )
        return Reason.INSIDE_BUFFER, text, None, None
    p = th.accuracy
    ask = executable_ask(quote.yes_ask)
    if ask is None:
        return Reason.NO_QUOTE, f"no ask on {quote.market_ticker}", None, p
    count, fee, per_contract = sized_order(
        ask, stake_min, stake_max, quote.fee_type, quote.fee_multiplier
    )
    ev = order_edge(p, ask, per_contract)
    order = (quote.market_ticker, ask, count, fee, ev)
    if ask >= th.accuracy:
        return Reason.ASK_ABOVE_ACCURACY, f"ask {ask} not below accuracy {th.accuracy}", order, p
    if count == 0:
        text = f"at {ask} the most contracts within ${stake_max} cost less than ${stake_min}"
        return Reason.STAKE_BELOW_MIN, text, order, p
    if ev < th.min_edge:
        text = f"EV/contract {ev:.4f} after fee < min edge {th.min_edge}"
        return Reason.EDGE_BELOW_MIN, text, order, p
    decided = (
        " (tail already crossed)" if is_decided(quote.bracket, extreme, inp.contract_type) else ""
    )
    return None, _describe(order, p) + decided, order, p


def _fair_value(
    inp: DecisionInput, extreme: int, stake_min: Decimal, stake_max: Decimal
) -> _Outcome:
    """The fair-value rule: the bracket with the largest ``p - ask - fee/count`` if >= min_edge.

    Brackets the running extreme has already made impossible are skipped whatever the model says
    (a guard against a stale or buggy probability). Ties go to the lowest ticker, so the ladder's
    order never changes the answer.
    """
    contract = inp.contract_type
    any_probability = False
    # The best order overall and the best with a count, in one pass over the ladder; "best" is
    # the least (-EV, ticker), the first seen on a full tie (as min() over the ladder).
    best: _Order | None = None
    best_p = ZERO
    best_sized: _Order | None = None
    best_sized_p = ZERO
    for quote in inp.ladder:
        p = quote.probability
        if p is None:
            continue
        any_probability = True
        ask = executable_ask(quote.yes_ask)
        if ask is None or is_dead(quote.bracket, extreme, contract):
            continue
        # The fee is never negative, so EV <= p - ask: a bracket already beaten by the best
        # sized order is not worth sizing (both bests hold at least that EV).
        if best_sized is not None and p - ask < best_sized[4]:
            continue
        count, fee, per_contract = sized_order(
            ask, stake_min, stake_max, quote.fee_type, quote.fee_multiplier
        )
        ev = order_edge(p, ask, per_contract)
        ticker = quote.market_ticker
        if best is None or ev > best[4] or (ev == best[4] and ticker < best[0]):
            best, best_p = (ticker, ask, count, fee, ev), p
        if count and (
            best_sized is None
            or ev > best_sized[4]
            or (ev == best_sized[4] and ticker < best_sized[0])
        ):
            best_sized, best_sized_p = (ticker, ask, count, fee, ev), p
    if not any_probability:
        return Reason.NO_PROBABILITY, "no market of the ladder has a model probability", None, None
    if best is None:
        return Reason.NO_QUOTE, "no live bracket with a model probability has an ask", None, None
    if best_sized is None:
        text = f"at every ask the most contracts within ${stake_max} cost less than ${stake_min}"
        return Reason.STAKE_BELOW_MIN, text, best, best_p
    ticker, _, _, _, ev = best_sized
    if ev < inp.thresholds.min_edge:
        text = f"best EV/contract {ev:.4f} ({ticker}) < min edge {inp.thresholds.min_edge}"
        return Reason.EDGE_BELOW_MIN, text, best_sized, best_sized_p
    return None, _describe(best_sized, best_sized_p), best_sized, best_sized_p
