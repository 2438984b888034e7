"""Start-up recovery: rebuild the breaker and risk state from the journal (the journal wins).

- every journaled order's key counts as traded (one trade per key, whatever became of it);
- settlements and manual resumes are replayed in time order through the same breaker functions
  the live loop uses, so the losing streak, the halt and the daily P&L come back exactly;
- an intent left without an outcome by a crash is settled with the broker (``reconcile``)
  before anything else runs: never resent.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from domain import risk
from domain.orders import OrderStatus
from domain.risk import RiskLimits, RiskState
from trader.breakers import Breaker, BreakerState, on_resume, on_settlement
from trader.brokers import Broker
from trader.journal import Journal
from trader.journal_state import SettlementRecord, breaker_events, settlements

log = logging.getLogger(__name__)


def restore_breakers(journal: Journal, limits: RiskLimits) -> BreakerState:
    """The breaker state implied by the journal.

    Args:
        journal: the open journal.
        limits: the risk limits in force.

    Returns:
        A state with every journaled key traded and every settlement and resume replayed.
    """
    state = BreakerState(risk=RiskState(limits=limits))
    for order in journal.orders():
        key = (order.station_icao, order.contract_type, order.climate_date)
        state = replace(state, risk=risk.record_trade(state.risk, key))
    resumes: list[tuple[datetime, int, SettlementRecord | None]] = [
        (event.at, 1, None)
        for event in breaker_events(journal)
        if event.breaker == Breaker.CONSECUTIVE_LOSSES and event.state_to == "ok"
    ]
    entries: list[tuple[datetime, int, SettlementRecord | None]] = [
        (settlement.settled_at, 0, settlement) for settlement in settlements(journal)
    ]
    # Same instant: the settlement first, then the resume that followed its review.
    for at, _, settlement in sorted(entries + resumes, key=lambda entry: entry[:2]):
        if settlement is not None:
            state, _ = on_settlement(state, settlement.pnl, settlement.risk_day, at)
        else:
            state, _ = on_resume(state, at)
    return state


def reconcile_intents(journal: Journal, broker: Broker, now: datetime) -> int:
    """Resolve intents a crash left without an outcome (``intent`` or ``unknown`` status).

    Args:
        journal: the open journal.
        broker: the broker the intents were meant for.
        now: the aware instant of recovery.

    Returns:
        How many orders were resolved.
    """
    resolved = 0
    for order in journal.orders():
        if order.status not in (OrderStatus.INTENT, OrderStatus.UNKNOWN):
            continue
        execution = broker.reconcile(order)
        journal.record_fills(execution.fills, now)
        if not execution.fills:
            journal.set_status(
                order.client_order_id, execution.status, now, reason=execution.reason
            )
        log.warning("recovered order %s: %s", order.client_order_id, execution.reason)
        resolved += 1
    return resolved
