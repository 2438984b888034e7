"""The end-of-day report: a day's trades, the P&L realised on it, how the CLI compared with the
running extremes, and the breaker state, read from the journal alone.

Trades are the orders of climate date ``day``; P&L and the settlement comparison are the
settlements booked on risk day ``day`` (``domain.risk``: P&L is realised when it settles, so
the morning CLI of yesterday's trades lands in today's report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.orders import OrderStatus
from domain.risk import RiskLimits
from trader.alert_messages import GREEN, GREY, RED, bracket_label, message
from trader.alerts import Alert
from trader.journal import Journal
from trader.journal_state import settlements
from trader.recovery import restore_breakers


@dataclass(frozen=True)
class DailyReport:
    """One day's summary.

    Attributes:
        day: the date reported.
        trades: one line per order of the climate date.
        orders: orders of the day; ``filled`` of them with at least one fill.
        cost: dollars paid for the fills; ``fees`` their fees.
        settled: settlements booked on the day; ``wins`` of them YES.
        pnl: realised P&L on the day (fees included).
        disagreements: settlements whose CLI contradicts the running extreme seen.
        comparison: one line per settlement (CLI value vs running extreme).
        halted / halt_reason / consecutive_losses: the breaker state now.
    """

    day: date
    trades: tuple[str, ...]
    orders: int
    filled: int
    cost: Decimal
    fees: Decimal
    settled: int
    wins: int
    pnl: Decimal
    disagreements: int
    comparison: tuple[str, ...]
    halted: bool
    halt_reason: str | None
    consecutive_losses: int


def daily_report(journal: Journal, day: date, limits: RiskLimits) -> DailyReport:
    """Summarise ``day`` from the journal.

    Args:
        journal: the open journal.
        day: the date reported.
        limits: the risk limits in force (for the breaker state).

    Returns:
        The report.
    """
    trades, filled, cost, fees = [], 0, Decimal(0), Decimal(0)
    orders = journal.orders(day)
    for order in orders:
        fills = journal.fills(order.client_order_id)
        count = sum((f.count for f in fills), Decimal(0))
        cost += sum((f.count * f.price for f in fills), Decimal(0))
        fees += sum((f.fee for f in fills), Decimal(0))
        filled += int(order.status in (OrderStatus.FILLED, OrderStatus.PARTIAL))
        trades.append(
            f"{order.station_icao} {order.contract_type} {bracket_label(order.bracket)} "
            f"{count}/{order.count} @ ≤${order.limit_price}: {order.status.value}"
        )
    booked = [s for s in settlements(journal) if s.risk_day == day]
    comparison = tuple(
        f"{s.market_ticker}: CLI {s.settled_value_f}°F vs running {s.running_extreme_f}°F -> "
        f"{s.market_result} ${s.pnl}" + (" DISAGREES" if s.extreme_disagrees else "")
        for s in booked
    )
    state = restore_breakers(journal, limits)
    return DailyReport(
        day=day,
        trades=tuple(trades),
        orders=len(orders),
        filled=filled,
        cost=cost,
        fees=fees,
        settled=len(booked),
        wins=sum(s.market_result == "yes" for s in booked),
        pnl=sum((s.pnl for s in booked), Decimal(0)),
        disagreements=sum(s.extreme_disagrees for s in booked),
        comparison=comparison,
        halted=state.risk.halted,
        halt_reason=state.risk.halt_reason,
        consecutive_losses=state.risk.consecutive_losses,
    )


def daily_report_alert(report: DailyReport, at: datetime) -> Alert:
    """The report as one embed: red for a loss or a halt, green for a gain, grey for flat."""
    colour = RED if report.pnl < 0 or report.halted else GREEN if report.pnl > 0 else GREY
    breakers = f"HALTED: {report.halt_reason}" if report.halted else "ok"
    fields = [
        ("Trades", f"{report.orders} order(s), {report.filled} filled"),
        ("Cost", f"${report.cost} + ${report.fees} fees"),
        ("Settled", f"{report.settled} ({report.wins} won)"),
        ("P&L", f"${report.pnl}"),
        ("CLI vs running extreme", f"{report.disagreements} disagreement(s)"),
        ("Breakers", f"{breakers}; losing streak {report.consecutive_losses}"),
        ("Orders", "\n".join(report.trades) or "none"),
        ("Settlements", "\n".join(report.comparison) or "none"),
    ]
    title = f"End of day {report.day}: P&L ${report.pnl}"
    return Alert("report", title, message(title, colour, fields, "", at))
