"""The backtest loop: checkpoints in time order through ``decide`` and the risk limits.

The live trader and the backtest run the same two steps at each checkpoint: apply every
settlement already known, then ``domain.decision.decide`` against the risk state. This module is
that loop for a replay of history; ``domain.backtest`` feeds it rows from the warehouse.

Settlement timing (no look-ahead): a trade's outcome is applied once the replay clock reaches
its ``settled_at``, inclusive: a settlement at exactly ``now`` is applied before the decision at
``now`` (the result is public at that instant, and the live trader processes fills and
settlements before it decides). Settlements due at the same instant are applied in the order
the trades were made, so the losing streak counts them in a fixed order. A trade that never
settles (a voided market: ``settle_fn`` returns None) keeps its one-trade-per-day key and moves
no P&L and no streak.

The risk day of a realised P&L is the climate date of ``settled_at`` at the traded station (its
own local standard time), while a decision checks the day of its own climate date: with
stations in several zones one instant can fall on different climate dates, and the loss counts
on the traded station's date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.climate_day import climate_date
from domain.decision import Decision, decide
from domain.decision_input import DecisionInput
from domain.risk import RiskLimits, RiskState, record_settlement, record_trade


@dataclass(frozen=True)
class Settlement:
    """How a trade ended, as the backtest's ``settle_fn`` reports it.

    Attributes:
        settled_at: aware instant the result became known (the P&L is realised then).
        won: True when the bought YES settled YES.
    """

    settled_at: datetime
    won: bool


def replay(
    inputs: Iterable[DecisionInput],
    settle_fn: Callable[[Decision], Settlement | None],
    limits: RiskLimits | None = None,
) -> list[Decision]:
    """Replay checkpoints in time order through ``decide`` and the risk limits.

    Args:
        inputs: decision inputs ordered by ``now`` (ties allowed; going back in time raises).
        settle_fn: for a BUY_YES decision, its ``Settlement`` (when and whether it won), or None
            if it never settles (it then stays traded but moves no P&L).
        limits: the risk limits; defaults to ``RiskLimits()``.

    Returns:
        One decision per input, in input order.
    """
    state = RiskState(limits=limits or RiskLimits())
    # (settled_at, trade sequence, P&L, risk day) of every trade not yet settled.
    pending: list[tuple[datetime, int, Decimal, date]] = []
    decisions: list[Decision] = []
    last: datetime | None = None
    for seq, inp in enumerate(inputs):
        if last is not None and inp.now < last:
            raise ValueError(f"inputs not in time order: {inp.now} after {last}")
        last = inp.now
        pending.sort(key=lambda item: (item[0], item[1]))
        while pending and pending[0][0] <= inp.now:
            _, _, pnl, day = pending.pop(0)
            state = record_settlement(state, pnl, day)
        decision = decide(inp, state)
        decisions.append(decision)
        if decision.is_trade:
            state = record_trade(state, decision.trade_key)
            settlement = settle_fn(decision)
            if settlement is not None:
                day = climate_date(settlement.settled_at, inp.station)
                pnl = decision.settlement_pnl(settlement.won)
                pending.append((settlement.settled_at, seq, pnl, day))
    return decisions
