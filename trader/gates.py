"""The last checks between a BUY decision and the broker: breakers, advice, unresolved orders
and the daily exposure.

- A tripped breaker, or the day's advice skipping the station (``trader.advice_gate``).
- An order whose outcome is open (``intent``, ``sent`` or ``unknown``) blocks every further
  order while ``block_all_on_unknown`` is on (live's default): nothing more is sent until the
  reconciliation has read it back by its client order id. Its own key is blocked regardless
  (the journal's UNIQUE dedup key).
- The daily exposure cap (``domain.risk.check_exposure``): dollars committed to a climate date,
  the larger of the journal's figure and the exchange's (positions lag fills).

A blocked trade becomes a NO_TRADE decision with the gate's reason code, journaled as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from domain import risk
from domain.decision import Decision
from domain.orders import OrderStatus
from domain.risk import RiskLimits, RiskState
from trader.advice_gate import AdviceSource, advice_effect, advised_risk
from trader.advisor import Advice
from trader.journal import Journal, OrderRecord

UNRESOLVED_ORDER = "unresolved_order"
ADVISOR_SKIP = "advisor_skip"
OPEN_STATUSES = frozenset({OrderStatus.INTENT, OrderStatus.SENT, OrderStatus.UNKNOWN})
ZERO = Decimal(0)

ExchangeExposure = Callable[[date], Decimal]
"""Dollars the exchange shows committed to a climate date (``trader.reconcile``)."""


def refuse(decision: Decision, code: str, why: str) -> Decision:
    """A BUY decision turned into the NO_TRADE that was journaled instead.

    Args:
        decision: the BUY decision.
        code: the reason code of the gate that stopped it.
        why: the gate's reason in words (the original reason follows it).

    Returns:
        The NO_TRADE decision; its candidate count and fee stay as they were.
    """
    return replace(
        decision,
        action="NO_TRADE",
        reason_code=code,
        reason=f"{why}; would have: {decision.reason}",
        count=0,
        fee=ZERO,
    )


def unresolved_orders(journal: Journal) -> list[OrderRecord]:
    """Orders whose outcome the journal does not know yet (awaiting reconciliation)."""
    return [order for order in journal.orders() if order.status in OPEN_STATUSES]


def journal_exposure(journal: Journal, climate_date: date) -> Decimal:
    """Dollars the journal has committed to a climate date.

    Filled contracts count at their price plus fees; an order whose outcome is open counts at
    its full count and limit price (the most it can cost).

    Args:
        journal: the open journal.
        climate_date: the contracts' climate date.

    Returns:
        The exposure in dollars.
    """
    total = ZERO
    for order in journal.orders(climate_date):
        fills = journal.fills(order.client_order_id)
        if order.status in OPEN_STATUSES and not fills:
            total += order.count * order.limit_price
            continue
        total += sum((f.count * f.price + f.fee for f in fills), ZERO)
    return total


def exposure_used(
    journal: Journal, climate_date: date, exchange: ExchangeExposure | None
) -> Decimal:
    """The exposure the cap is checked against: max(journal, exchange) (paper: the journal)."""
    mine = journal_exposure(journal, climate_date)
    return mine if exchange is None else max(mine, exchange(climate_date))


@dataclass(frozen=True)
class TradeGate:
    """The checks a BUY decision passes after the engine, in order: the breakers, the advice,
    an unresolved order, the daily exposure cap.

    Attributes:
        journal: the open journal.
        block_all_on_unknown: an open order anywhere blocks this one (live's default).
        exchange: the exchange's exposure per climate date (None in paper).
        advice: the day's advice (None: no advisor; trade with defaults).
    """

    journal: Journal
    block_all_on_unknown: bool = False
    exchange: ExchangeExposure | None = None
    advice: AdviceSource | None = None

    def advice_for(self, climate_date: date, now: datetime) -> Advice | None:
        """The usable advice of a climate date, if any."""
        return None if self.advice is None else self.advice(climate_date, now)

    def risk_for(self, risk: RiskState, icao: str, advice: Advice | None) -> RiskState:
        """The risk state the station decides with (its stakes scaled by the advice)."""
        return advised_risk(risk, icao, advice)

    def check(
        self,
        decision: Decision,
        limits: RiskLimits,
        blocked: str | None,
        advice: Advice | None,
    ) -> Decision:
        """The decision unchanged when it may be sent, else the NO_TRADE it becomes.

        Args:
            decision: the engine's decision (anything but a BUY passes through, annotated).
            limits: the risk limits in force (``max_daily_exposure``).
            blocked: the breaker blocking the station, if any.
            advice: the day's advice.

        Returns:
            The decision to journal.
        """
        multiplier, why = advice_effect(advice, decision.station_icao)
        if why and not (multiplier <= 0 and decision.is_trade):
            decision = replace(decision, reason=f"{decision.reason} ({why})")
        if not decision.is_trade or decision.price is None:
            return decision
        if blocked is not None:
            return refuse(decision, blocked, f"breaker {blocked}")
        if multiplier <= 0:
            return refuse(decision, ADVISOR_SKIP, why)
        if self.block_all_on_unknown:
            waiting = unresolved_orders(self.journal)
            if waiting:
                ids = ", ".join(order.client_order_id for order in waiting)
                return refuse(decision, UNRESOLVED_ORDER, f"awaiting reconciliation of {ids}")
        used = exposure_used(self.journal, decision.climate_date, self.exchange)
        cost = decision.price * decision.count + decision.fee
        code = risk.check_exposure(limits, used, cost)
        if code is not None:
            why = (
                f"exposure {used} on {decision.climate_date} + {cost} would exceed "
                f"{limits.max_daily_exposure}"
            )
            return refuse(decision, code, why)
        return decision
