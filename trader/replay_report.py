"""What ``python -m trader replay`` prints: the day's trades and P&L beside the backtest's."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table

from trader.journal_state import SettlementRecord
from trader.replay import ReplayResult

ZERO = Decimal(0)
CENT = Decimal("0.01")


def _cell(ticker: str | None, count: int, price: Decimal | None, pnl: Decimal | None) -> str:
    money = "unsettled" if pnl is None else f"P&L ${pnl.quantize(CENT)}"
    return f"{count} x {ticker} @ {price}, {money}"


def trades_table(result: ReplayResult) -> Table:
    """One row per station x contract that traded (or was blocked) in the replay or backtest.

    Args:
        result: the replay's result.

    Returns:
        A rich table with the trader's and the backtest's trade and P&L, and the totals.
    """
    settled: dict[str, SettlementRecord] = {s.client_order_id: s for s in result.settlements}
    mine = {(o.station_icao, o.contract_type): o for o in result.orders}
    theirs = {(t.station_icao, t.contract_type): t for t in result.backtest}
    table = Table(title=f"replay of {result.day} ({result.scope} risk books)")
    table.add_column("book")
    table.add_column("trader")
    table.add_column("backtest")
    total_mine = total_theirs = ZERO
    for key in sorted(mine.keys() | theirs.keys()):
        order, trade = mine.get(key), theirs.get(key)
        left = right = "-"
        if order is not None:
            record = settled.get(order.client_order_id)
            pnl = None if record is None else record.pnl
            total_mine += pnl or ZERO
            status = "" if order.status == "filled" else f" [{order.status}]"
            left = _cell(order.market_ticker, order.count, order.limit_price, pnl) + status
        if trade is not None and trade.is_executed:
            total_theirs += trade.pnl_dollars or ZERO
            right = _cell(
                trade.market_ticker, trade.contract_count, trade.yes_ask_dollars, trade.pnl_dollars
            )
        elif trade is not None:
            right = f"blocked: {trade.reason_code}"
        table.add_row(" ".join(key), left, right)
    table.add_row(
        "total",
        f"P&L ${total_mine.quantize(CENT)}",
        f"P&L ${total_theirs.quantize(CENT)}",
        style="bold",
    )
    return table
