"""``python -m trader status``: today's state from the journal alone (no network, no warehouse)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.risk import RiskLimits
from trader.journal import Journal
from trader.journal_events import reconciliation_events
from trader.journal_state import breaker_events, last_heartbeat, settlements
from trader.recovery import restore_breakers

RECENT_EVENTS = 10


def status_report(journal: Journal, now: datetime, limits: RiskLimits) -> dict[str, Any]:
    """The trader's state as plain JSON-ready values (money as decimal strings).

    Args:
        journal: the open journal.
        now: the aware instant of the report.
        limits: the risk limits in force.

    Returns:
        ``orders`` of the last two climate dates, ``open_positions`` (filled, not yet settled),
        ``breakers`` (halt, streak, P&L of the last two risk days, recent events), the recent
        ``reconciliation`` events (live), ``last_tick``.
    """
    state = restore_breakers(journal, limits)
    since = (now - timedelta(days=1)).date()
    settled = {s.client_order_id for s in settlements(journal)}
    orders, positions = [], []
    for order in journal.orders():
        fills = journal.fills(order.client_order_id)
        filled = sum((f.count for f in fills), Decimal(0))
        cost = sum((f.count * f.price for f in fills), Decimal(0))
        fees = sum((f.fee for f in fills), Decimal(0))
        row = {
            "dedup_key": order.dedup_key,
            "client_order_id": order.client_order_id,
            "market_ticker": order.market_ticker,
            "status": order.status.value,
            "count": order.count,
            "limit_price": str(order.limit_price),
            "filled_count": str(filled),
            "cost_dollars": str(cost),
            "fees_dollars": str(fees),
            "reason": order.status_reason,
            "broker": order.broker,
        }
        if order.climate_date >= since:
            orders.append(row)
        if filled > 0 and order.client_order_id not in settled:
            positions.append(row)
    heartbeat = last_heartbeat(journal)
    events = breaker_events(journal)[-RECENT_EVENTS:]
    return {
        "at": now.isoformat(),
        "journal": str(journal.path),
        "orders": orders,
        "open_positions": positions,
        "breakers": {
            "halted": state.risk.halted,
            "halt_reason": state.risk.halt_reason,
            "consecutive_losses": state.risk.consecutive_losses,
            "daily_pnl_dollars": {
                day.isoformat(): str(pnl)
                for day, pnl in sorted(state.risk.daily_pnl.items())
                if day >= since
            },
            "recent_events": [
                {
                    "at": e.at.isoformat(),
                    "breaker": str(e.breaker),
                    "scope": e.scope,
                    "from": e.state_from,
                    "to": e.state_to,
                    "reason": e.reason,
                }
                for e in events
            ],
        },
        "reconciliation": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind.value,
                "client_order_id": e.client_order_id,
                "market_ticker": e.market_ticker,
                "detail": e.detail,
            }
            for e in reconciliation_events(journal)[-RECENT_EVENTS:]
        ],
        "last_tick": None
        if heartbeat is None
        else {"at": heartbeat[0].isoformat(), "kind": heartbeat[1], "detail": heartbeat[2]},
    }
