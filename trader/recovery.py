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
from domain.orders import TRANSITIONS, Execution, OrderStatus
from domain.risk import RiskLimits, RiskState
from trader.breakers import Breaker, BreakerState, on_resume, on_settlement
from trader.brokers import Broker
from trader.journal import Journal, OrderRecord
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


def apply_execution(
    journal: Journal, order: OrderRecord, execution: Execution, at: datetime
) -> OrderRecord:
    """Journal what a broker reported for an order: its fills (deduplicated by fill id, in one
    transaction), the venue's order id, and, without fills, its status when that moves it on.

    An ``unknown`` read back for an order already ``unknown`` (or ``sent``) changes nothing: the
    order waits for the next reconciliation.

    Args:
        journal: the open journal.
        order: the order as journaled.
        execution: the broker's report.
        at: aware instant of journaling.

    Returns:
        The order as journaled afterwards.
    """
    journal.record_fills(execution.fills, at)
    if execution.venue_order_id:
        journal.set_venue_order_id(order.client_order_id, execution.venue_order_id, at)
    current = journal.order_by_client_id(order.client_order_id)
    assert current is not None  # journaled orders are never deleted
    if execution.fills or execution.status is current.status:
        return current
    if execution.status not in TRANSITIONS[current.status]:
        log.warning(
            "order %s: %s reported while %s: kept",
            order.client_order_id,
            execution.status,
            current.status,
        )
        return current
    return journal.set_status(order.client_order_id, execution.status, at, reason=execution.reason)


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
        apply_execution(journal, order, execution, now)
        log.warning("recovered order %s: %s", order.client_order_id, execution.reason)
        resolved += 1
    return resolved
