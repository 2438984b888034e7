"""Risk limits for the read-the-thermometer trader: pure, immutable state and update functions.

The design's limits: one trade per (station, contract type, climate date), $5 to $10 per trade,
a daily exposure cap ($60 to $120), a daily loss limit, and a halt after 5 consecutive losing
trades. Nothing here reads a clock or a
file: the live trader and the backtest replay feed the same functions the same events in time
order (``domain.replay.replay`` is the loop the backtest uses). They take plain values (a trade
key, a P&L), not the engine's ``Decision``, so this module depends on nothing of the engine's.

The risk "day" is a climate date (local standard time, like everything else in the domain). A
trade settles the morning after its climate day, so realised P&L is booked on the day it is
*realised* (the settlement's day) and blocks new trades for the rest of that day; booking it on
the trade's own day would make the limit bite only after the day it protects has ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

ZERO = Decimal(0)

TradeKey = tuple[str, str, date]
"""(station ICAO, contract type ``HIGH``/``LOW``, climate date): at most one trade each."""


class RiskReason(StrEnum):
    """Why the risk gate blocks a trade (the ``reason_code`` of a blocked ``Decision``)."""

    CONSECUTIVE_LOSSES = "risk_limit_consecutive_losses"
    DAILY_LOSS = "risk_limit_daily_loss"
    ONE_TRADE_PER_DAY = "risk_limit_one_trade_per_day"
    DAILY_EXPOSURE = "risk_limit_daily_exposure"


@dataclass(frozen=True)
class RiskLimits:
    """The design's risk limits (dollars as Decimal).

    Attributes:
        stake_min: smallest cost (ask x count) worth a trade.
        stake_max: largest cost of one trade.
        daily_loss_limit: realised loss on one day at which trading stops for that day (positive).
        max_consecutive_losses: losing trades in a row that halt trading until ``resume``.
        max_daily_exposure: most dollars (cost plus fees, at the limit price while an order's
            outcome is open) committed to the contracts of one climate date.
    """

    stake_min: Decimal = Decimal("5.00")
    stake_max: Decimal = Decimal("10.00")
    daily_loss_limit: Decimal = Decimal("50.00")
    max_consecutive_losses: int = 5
    max_daily_exposure: Decimal = Decimal("60.00")

    def __post_init__(self) -> None:
        for name in ("stake_min", "stake_max", "daily_loss_limit", "max_daily_exposure"):
            if not isinstance(getattr(self, name), Decimal):
                raise TypeError(f"{name} must be a Decimal (no float in money math)")
        if not ZERO < self.stake_min <= self.stake_max:
            raise ValueError(
                f"need 0 < stake_min <= stake_max, got {self.stake_min}, {self.stake_max}"
            )
        if self.daily_loss_limit <= ZERO:
            raise ValueError("daily_loss_limit is a positive amount of dollars")
        if self.max_consecutive_losses < 1:
            raise ValueError("max_consecutive_losses must be at least 1")
        if self.max_daily_exposure <= ZERO:
            raise ValueError("max_daily_exposure is a positive amount of dollars")


def _frozen_pnl(pnl: Mapping[date, Decimal]) -> Mapping[date, Decimal]:
    # A read-only view of a private copy, so a state can never change under a caller's feet.
    return MappingProxyType(dict(pnl))


@dataclass(frozen=True)
class RiskState:
    """Everything the risk gate knows: an immutable value; update functions return new states.

    Attributes:
        limits: the limits in force.
        traded: keys (station, contract type, climate date) already traded.
        daily_pnl: realised P&L per risk day (climate date of realisation), read-only.
        consecutive_losses: losing settlements in a row since the last win (or resume).
        halted: True once ``max_consecutive_losses`` is reached; only ``resume`` clears it.
        halt_reason: the reason code of the halt, None when not halted.
    """

    limits: RiskLimits = field(default_factory=RiskLimits)
    traded: frozenset[TradeKey] = frozenset()
    daily_pnl: Mapping[date, Decimal] = field(default_factory=lambda: _frozen_pnl({}))
    consecutive_losses: int = 0
    halted: bool = False
    halt_reason: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.daily_pnl, MappingProxyType):
            object.__setattr__(self, "daily_pnl", _frozen_pnl(self.daily_pnl))

    def pnl_on(self, day: date) -> Decimal:
        """Realised P&L booked on ``day`` (0 when nothing settled that day)."""
        return self.daily_pnl.get(day, ZERO)


def check(
    state: RiskState, station: str, contract: str, climate_date: date, day: date
) -> str | None:
    """Would the risk limits allow one more trade?

    Args:
        state: the current risk state.
        station: station ICAO (``KNYC``).
        contract: ``HIGH`` or ``LOW``.
        climate_date: the contract's climate date.
        day: the risk day of the decision (``domain.decision`` passes the climate date).

    Returns:
        None when allowed, else a ``RiskReason`` code; the halt is reported first because it
        outlives the day, then the day's loss limit, then the one-trade-per-key rule.
    """
    if state.halted:
        return state.halt_reason or RiskReason.CONSECUTIVE_LOSSES
    if state.pnl_on(day) <= -state.limits.daily_loss_limit:
        return RiskReason.DAILY_LOSS
    if (station.upper(), contract.upper(), climate_date) in state.traded:
        return RiskReason.ONE_TRADE_PER_DAY
    return None


def check_exposure(limits: RiskLimits, used: Decimal, cost: Decimal) -> str | None:
    """Would one more trade of ``cost`` keep its climate date within the exposure cap?

    Args:
        limits: the limits in force.
        used: dollars already committed to the climate date (live: the larger of the
            journal's and the exchange's figure).
        cost: the trade's worst-case dollars (price x count + fee).

    Returns:
        None when ``used + cost`` stays within ``max_daily_exposure``, else
        ``RiskReason.DAILY_EXPOSURE``.
    """
    for name, value in (("used", used), ("cost", cost)):
        if not isinstance(value, Decimal):
            raise TypeError(f"{name} must be a Decimal (no float in money math)")
    if used + cost > limits.max_daily_exposure:
        return RiskReason.DAILY_EXPOSURE
    return None


def record_trade(state: RiskState, key: TradeKey) -> RiskState:
    """The state after a filled trade.

    Args:
        state: the state the trade was checked against.
        key: the trade's (station, contract type, climate date), e.g. ``Decision.trade_key``.

    Returns:
        A new state with the key marked as traded.
    """
    station, contract, climate_date = key
    key = (station.upper(), contract.upper(), climate_date)
    if key in state.traded:
        # The gate should have stopped it: recording it twice would hide a bug in the caller.
        raise ValueError(f"{key} already traded")
    return replace(state, traded=state.traded | {key})


def record_settlement(state: RiskState, pnl: Decimal, day: date) -> RiskState:
    """The state after one trade settles.

    Args:
        state: the current state.
        pnl: the trade's realised P&L in dollars, fees included (``order_pnl``).
        day: the risk day the P&L is realised on.

    Returns:
        A new state: P&L booked on ``day``; a loss extends the losing streak (halting at the
        limit), a win resets it, a zero P&L leaves it unchanged.
    """
    if not isinstance(pnl, Decimal):
        raise TypeError("pnl must be a Decimal (no float in money math)")
    daily = dict(state.daily_pnl)
    daily[day] = daily.get(day, ZERO) + pnl
    streak = state.consecutive_losses
    if pnl < ZERO:
        streak += 1
    elif pnl > ZERO:
        streak = 0
    halted, reason = state.halted, state.halt_reason
    if streak >= state.limits.max_consecutive_losses and not halted:
        halted, reason = True, RiskReason.CONSECUTIVE_LOSSES.value
    return replace(
        state,
        daily_pnl=_frozen_pnl(daily),
        consecutive_losses=streak,
        halted=halted,
        halt_reason=reason,
    )


def resume(state: RiskState) -> RiskState:
    """A human's decision to trade again after a halt: clears the halt and the losing streak."""
    return replace(state, halted=False, halt_reason=None, consecutive_losses=0)


def order_pnl(count: int, price: Decimal, fee: Decimal, won: bool) -> Decimal:
    """Realised P&L of buying ``count`` YES at ``price`` with ``fee``: payout - cost - fee.

    Args:
        count: contracts bought.
        price: price paid per contract, dollars.
        fee: the order's fee, dollars.
        won: whether YES settled YES ($1 per contract).

    Returns:
        ``count x (1 - price) - fee`` when won, ``-(count x price) - fee`` when lost.
    """
    contracts = Decimal(count)
    payout = contracts if won else ZERO
    return payout - contracts * price - fee
