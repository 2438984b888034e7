"""The decision engine: one pure function decides whether to buy YES on a temperature ladder.

"Read the thermometer": late in the local-standard-time climate day the running high (low) rarely
moves far, so the bracket holding it, or a tail it has already crossed, is nearly certain. The
live trader calls ``decide`` at each checkpoint; the backtest replays every historical checkpoint
through the same function (``replay``), so the chosen thresholds are tested on exactly the code
that will trade them.

Two rules, picked per station and contract by the thresholds table (``StationThresholds.rule``):

- ``design``: inside the station's window, with a fresh observation, buy the bracket containing
  the running extreme when it has at least ``buffer_f`` °F of headroom to the edge it can still
  cross (upper for HIGH, lower for LOW) and the ask is below the station's historical accuracy (and the edge after fees is at least ``min_edge``).
- ``fair_value``: buy the bracket with the largest ``probability - ask - fee per contract``,
  provided it is at least ``min_edge``.

Money is Decimal throughout; the fee is ``domain.fees.trade_fee``; the clock is the ``now`` field
of the input, turned into minutes after local-standard-time midnight with the station's fixed
standard offset (``domain.climate_day``), never its daylight-saving zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from enum import StrEnum
from typing import Any, Literal

from domain.brackets import Bracket, headroom
from domain.climate_day import climate_date as climate_date_of
from domain.climate_day import climate_day_window
from domain.fees import trade_fee
from domain.money import parse_decimal
from domain.risk import (
    RiskLimits,
    RiskState,
    Settlement,
    check,
    record_settlement,
    record_trade,
    settlement_pnl,
)
from domain.stations import Station, station_by_icao

ContractType = Literal["HIGH", "LOW"]
Rule = Literal["design", "fair_value"]
Action = Literal["BUY_YES", "NO_TRADE"]

ZERO = Decimal(0)
ONE = Decimal(1)
DAY_MINUTES = 1440
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
    INVALID_PRICE = "invalid_price"
    ASK_ABOVE_ACCURACY = "ask_above_accuracy"
    NO_PROBABILITY = "no_probability"
    EDGE_BELOW_MIN = "edge_below_min"
    STAKE_BELOW_MIN = "stake_below_min"


def _require_decimal(value: object, name: str) -> None:
    # Floats are refused at the door, as in domain.money: they are already inexact.
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")


@dataclass(frozen=True)
class StationThresholds:
    """One row of the thresholds table: how to trade one station and contract type.

    Attributes:
        station_icao: settlement station (``KNYC``).
        contract_type: ``HIGH`` or ``LOW``.
        rule: ``design`` or ``fair_value``.
        window_start_minute: first checkpoint minute (after LST midnight) we may trade, inclusive.
        window_end_minute: last checkpoint minute we may trade, inclusive (1440 = end of day).
        buffer_f: whole °F the running extreme must keep from the bracket's closed edges.
        accuracy: historical hit rate of the design rule for this station/contract/window.
        min_edge: minimum expected value per contract after fees, in dollars.
        tier: ``A``, ``B``, ... or ``SKIP``.
        verdict: ``GO`` or ``KILL`` (from the go/kill analysis).
        max_obs_age_minutes: oldest observation still called fresh, inclusive.
        stake_min: smallest cost (ask x count) of a trade, dollars.
        stake_max: largest cost of a trade, dollars.
    """

    station_icao: str
    contract_type: ContractType
    rule: Rule
    window_start_minute: int
    buffer_f: int
    accuracy: Decimal
    min_edge: Decimal = ZERO
    tier: str = "A"
    verdict: str = "GO"
    window_end_minute: int = DAY_MINUTES
    max_obs_age_minutes: int = 20
    stake_min: Decimal = Decimal("5.00")
    stake_max: Decimal = Decimal("10.00")

    def __post_init__(self) -> None:
        if self.contract_type not in ("HIGH", "LOW"):
            raise ValueError(f"contract_type must be HIGH or LOW, got {self.contract_type!r}")
        if self.rule not in ("design", "fair_value"):
            raise ValueError(f"rule must be design or fair_value, got {self.rule!r}")
        if self.verdict not in ("GO", "KILL"):
            raise ValueError(f"verdict must be GO or KILL, got {self.verdict!r}")
        if not 0 <= self.window_start_minute <= self.window_end_minute <= DAY_MINUTES:
            raise ValueError(
                f"need 0 <= window_start <= window_end <= {DAY_MINUTES}, got "
                f"{self.window_start_minute}..{self.window_end_minute}"
            )
        if self.buffer_f < 0 or self.max_obs_age_minutes < 0:
            raise ValueError("buffer_f and max_obs_age_minutes cannot be negative")
        for name in ("accuracy", "min_edge", "stake_min", "stake_max"):
            _require_decimal(getattr(self, name), name)
        if not ZERO <= self.accuracy <= ONE:
            raise ValueError(f"accuracy {self.accuracy} outside [0, 1]")
        if not ZERO < self.stake_min <= self.stake_max:
            raise ValueError(
                f"need 0 < stake_min <= stake_max, got {self.stake_min}, {self.stake_max}"
            )

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StationThresholds:
        """Build from a thresholds-table row (dict from DuckDB or the JSON export).

        Args:
            record: a mapping with this class's field names; extra keys are ignored; money fields
                may be Decimal or fixed-point strings (floats are refused, as in ``domain.money``).

        Returns:
            The thresholds.
        """
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name not in record or record[name] is None:
                continue
            value = record[name]
            if name in ("accuracy", "min_edge", "stake_min", "stake_max"):
                value = parse_decimal(value, name)
            elif name in (
                "window_start_minute",
                "window_end_minute",
                "buffer_f",
                "max_obs_age_minutes",
            ):
                value = int(value)
            else:
                value = str(value)
            kwargs[name] = value
        return cls(**kwargs)


@dataclass(frozen=True)
class LadderQuote:
    """One market of the event's ladder with its top of book at the checkpoint.

    Attributes:
        market_ticker: Kalshi market ticker.
        bracket: its inclusive whole-°F bracket.
        yes_ask: best YES ask in dollars; None = no quote (an ask of 1.0000 also means no quote).
        yes_bid: best YES bid (informational; 0 or None = no bid).
        probability: model probability of YES (the fair-value rule); None when unknown.
        fee_type: the series' fee_type, passed to ``trade_fee``.
        fee_multiplier: the series' fee_multiplier, passed to ``trade_fee``.
    """

    market_ticker: str
    bracket: Bracket
    yes_ask: Decimal | None
    yes_bid: Decimal | None = None
    probability: Decimal | None = None
    fee_type: str = "quadratic"
    fee_multiplier: Decimal = ONE

    def __post_init__(self) -> None:
        # Runs once per bracket per checkpoint in the backtest: exact Decimals skip the slow path.
        for name, value in (
            ("yes_ask", self.yes_ask),
            ("yes_bid", self.yes_bid),
            ("probability", self.probability),
        ):
            if value is None:
                continue
            if value.__class__ is not Decimal:
                _require_decimal(value, name)
            if value < ZERO or value > ONE:
                raise ValueError(f"{self.market_ticker}: {name} {value} outside [0, 1]")
        if self.fee_multiplier.__class__ is not Decimal:
            _require_decimal(self.fee_multiplier, "fee_multiplier")

    @property
    def executable_ask(self) -> Decimal | None:
        """The ask we could buy at, or None: no ask, or the empty-book 1.0000 (kalshi.md §14)."""
        if self.yes_ask is None or self.yes_ask >= ONE:
            return None
        return self.yes_ask


@dataclass(frozen=True)
class DecisionInput:
    """Everything ``decide`` may look at: one station, contract and climate day at one instant.

    Attributes:
        thresholds: the station's row of the thresholds table.
        contract_type: ``HIGH`` or ``LOW``; must match the thresholds.
        climate_date: the event's climate date (from the ticker).
        running_extreme_f: running max (HIGH) or min (LOW) so far today, whole °F; None if unknown.
        observation_age_minutes: minutes between the latest observation and ``now``.
        ladder: the event's markets with their quotes.
        now: the decision instant, timezone-aware (the backtest passes the checkpoint instant).
    """

    thresholds: StationThresholds
    contract_type: ContractType
    climate_date: date
    running_extreme_f: int | None
    observation_age_minutes: int | Decimal | None
    ladder: tuple[LadderQuote, ...]
    now: datetime

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("now must be a timezone-aware datetime")
        if self.contract_type != self.thresholds.contract_type:
            raise ValueError(
                f"contract_type {self.contract_type} does not match the thresholds' "
                f"{self.thresholds.contract_type}"
            )
        if self.observation_age_minutes is not None:
            if isinstance(self.observation_age_minutes, float):
                raise TypeError("observation_age_minutes must be int or Decimal")
            if self.observation_age_minutes < 0:
                # An observation from after `now` is look-ahead in a backtest: fail loudly.
                raise ValueError(f"negative observation age {self.observation_age_minutes}")
        if not isinstance(self.ladder, tuple):
            object.__setattr__(self, "ladder", tuple(self.ladder))

    @property
    def station(self) -> Station:
        """The station from the registry (a cached read of the stations seed)."""
        return station_by_icao(self.thresholds.station_icao)

    @property
    def checkpoint_minute(self) -> int:
        """Whole minutes from the climate day's LST midnight to ``now`` (floor).

        Measured from the start of ``climate_date`` with the station's fixed standard offset, so
        1440 is the end of the day and values outside 0..1440 mean ``now`` is on another day.
        """
        start, _ = climate_day_window(self.climate_date, self.station)
        return (self.now - start) // timedelta(minutes=1)


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


def size_order(ask: Decimal, stake_min: Decimal, stake_max: Decimal) -> int:
    """Contracts to buy at ``ask``: the largest whole count costing at most ``stake_max``.

    Args:
        ask: price per contract in dollars, 0 < ask < 1.
        stake_min: the smallest acceptable cost.
        stake_max: the largest acceptable cost.

    Returns:
        The count, or 0 when even that count costs less than ``stake_min`` (too small to bother).
    """
    if not ZERO < ask <= ONE:
        raise ValueError(f"cannot size an order at price {ask}")
    count = int((stake_max / ask).to_integral_value(rounding=ROUND_FLOOR))
    return count if count * ask >= stake_min else 0


def _edge(probability: Decimal, ask: Decimal, fee: Decimal, count: int) -> Decimal:
    # Exact-enough and independent of whatever Decimal context the caller has set: determinism.
    with localcontext() as ctx:
        ctx.prec = 28
        return probability - ask - fee / Decimal(count)


@dataclass(frozen=True)
class _Order:
    quote: LadderQuote
    ask: Decimal
    count: int
    fee: Decimal
    ev: Decimal


def _price_order(
    quote: LadderQuote, ask: Decimal, p: Decimal, stakes: tuple[Decimal, Decimal]
) -> _Order:
    count = size_order(ask, *stakes)
    if count == 0:
        return _Order(quote, ask, 0, ZERO, p - ask)
    fee = trade_fee(
        count, ask, role="taker", fee_type=quote.fee_type, fee_multiplier=quote.fee_multiplier
    )
    return _Order(quote, ask, count, fee, _edge(p, ask, fee, count))


def _is_dead(bracket: Bracket, contract: str, extreme: int) -> bool:
    """Can the final value no longer land in this bracket?

    The running max only rises, so a HIGH bracket entirely below it is dead; the running min only
    falls, so a LOW bracket entirely above it is dead.
    """
    if contract == "HIGH":
        return bracket.upper is not None and bracket.upper < extreme
    return bracket.lower is not None and bracket.lower > extreme


def _is_decided(bracket: Bracket, contract: str, extreme: int) -> bool:
    """Is this a tail the running extreme has already crossed (YES unless the CLI disagrees)?"""
    if not bracket.contains(extreme):
        return False
    return bracket.upper is None if contract == "HIGH" else bracket.lower is None


def _stake_bounds(thresholds: StationThresholds, risk: RiskState | None) -> tuple[Decimal, Decimal]:
    # The station may trade a narrower band than the desk-wide limits, never a wider one.
    if risk is None:
        return thresholds.stake_min, thresholds.stake_max
    limits: RiskLimits = risk.limits
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
        code: str, text: str, order: _Order | None = None, p: Decimal | None = None
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
    )


_NoTrade = Callable[..., Decision]


def _describe(order: _Order, p: Decimal) -> str:
    return (
        f"{order.count} x {order.quote.market_ticker} @ {order.ask} "
        f"(p {p}, fee {order.fee}, EV/contract {order.ev:.4f})"
    )


def _sized(
    order: _Order, stakes: tuple[Decimal, Decimal], p: Decimal, no_trade: _NoTrade
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
) -> Decision | tuple[_Order, Decimal, str]:
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
    if ask <= ZERO:
        return no_trade(
            Reason.INVALID_PRICE, f"ask {ask} on {quote.market_ticker} is not a price", None, p
        )
    order = _price_order(quote, ask, p, stakes)
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
        " (tail already crossed)" if _is_decided(quote.bracket, inp.contract_type, extreme) else ""
    )
    return order, p, _describe(order, p) + decided


def _fair_value(
    inp: DecisionInput, extreme: int, stakes: tuple[Decimal, Decimal], no_trade: _NoTrade
) -> Decision | tuple[_Order, Decimal, str]:
    """The fair-value rule: the bracket with the largest ``p - ask - fee/count`` if >= min_edge.

    Brackets the running extreme has already made impossible are skipped whatever the model says
    (a guard against a stale or buggy probability). Ties go to the lowest ticker, so the ladder's
    order never changes the answer.
    """
    th = inp.thresholds
    priced = [q for q in inp.ladder if q.probability is not None]
    if not priced:
        return no_trade(Reason.NO_PROBABILITY, "no market of the ladder has a model probability")
    orders: list[tuple[_Order, Decimal]] = []
    for quote in priced:
        ask = quote.executable_ask
        if ask is None or ask <= ZERO or _is_dead(quote.bracket, inp.contract_type, extreme):
            continue
        assert quote.probability is not None  # filtered above; narrows the type
        orders.append((_price_order(quote, ask, quote.probability, stakes), quote.probability))
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


def replay(
    inputs: Iterable[DecisionInput],
    settle_fn: Callable[[Decision], Settlement | None],
    limits: RiskLimits | None = None,
) -> list[Decision]:
    """Replay checkpoints in time order through ``decide`` and the risk limits (the backtest loop).

    A trade's settlement is applied only once the replay clock reaches ``settled_at``, so the risk
    gate never sees an outcome earlier than the live trader would (no look-ahead). Its P&L is
    booked on the climate date, at the traded station, of ``settled_at``.

    Args:
        inputs: decision inputs ordered by ``now`` (ties allowed; going back in time raises).
        settle_fn: for a BUY_YES decision, its ``Settlement`` (when and whether it won), or None
            if it never settles (it then stays traded but moves no P&L).
        limits: the risk limits; defaults to ``RiskLimits()``.

    Returns:
        One decision per input, in input order.
    """
    state = RiskState(limits=limits or RiskLimits())
    pending: list[tuple[datetime, int, Decimal, date]] = []
    decisions: list[Decision] = []
    last: datetime | None = None
    for seq, inp in enumerate(inputs):
        if last is not None and inp.now < last:
            raise ValueError(f"inputs not in time order: {inp.now} after {last}")
        last = inp.now
        # Settle everything known by now, oldest first (ties by trade order): streaks need order.
        pending.sort(key=lambda item: (item[0], item[1]))
        while pending and pending[0][0] <= inp.now:
            _, _, pnl, day = pending.pop(0)
            state = record_settlement(state, pnl, day)
        decision = decide(inp, state)
        decisions.append(decision)
        if decision.is_trade:
            state = record_trade(state, decision)
            settlement = settle_fn(decision)
            if settlement is not None:
                day = climate_date_of(settlement.settled_at, inp.station)
                pending.append(
                    (settlement.settled_at, seq, settlement_pnl(decision, settlement.won), day)
                )
    return decisions
