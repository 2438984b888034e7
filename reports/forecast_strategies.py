"""The "forecast strategies beside the thermometer" section: test-period figures per station.

One row per data source x rule x station x contract over the TEST period: the thermometer rule
(the engine's executed trades in ``fct_backtest_trades``) and the original system's forecast
strategies (``fct_forecast_strategy_summary``: ``open_maker_base``, ``open_maker_next_over``,
parameters chosen on train). On the simulated sample the forecasts are simulated too, so those
rows say nothing about real forecasts.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import duckdb
import pandas as pd

from reports.html import Section, table
from reports.warehouse import columns_of, fetch_frame

log = logging.getLogger(__name__)

FCT_FORECAST_STRATEGY_SUMMARY = "fct_forecast_strategy_summary"
FCT_BACKTEST_TRADES = "fct_backtest_trades"
THERMOMETER = "thermometer (engine)"
# The engine's executed test trades, in the forecast summary's shape (the thermometer row).
QUERY = f"""
select data_source, strategy, station_icao, contract_type, trade_count, win_count,
    settled_count, pnl_dollars
from main."{FCT_FORECAST_STRATEGY_SUMMARY}"
where station_icao <> 'ALL'
union all
select data_source, '{THERMOMETER}' as strategy, station_icao, contract_type,
    count(*) as trade_count,
    count(*) filter (where is_win) as win_count,
    count(is_win) as settled_count,
    coalesce(sum(pnl_dollars), 0) as pnl_dollars
from main."{FCT_BACKTEST_TRADES}"
where is_executed
group by all
order by data_source, station_icao, contract_type, strategy
"""
TABLE_COLUMNS = (
    ("source", "data source"),
    ("station", "station"),
    ("contract", "contract"),
    ("rule", "rule"),
    ("trades", "trades"),
    ("win_rate", "win rate"),
    ("pnl", "P&L"),
    ("ev", "EV / trade"),
)
NUMERIC = frozenset({"trades", "win_rate", "pnl", "ev"})
NOT_BUILT = (
    f"{FCT_FORECAST_STRATEGY_SUMMARY} or {FCT_BACKTEST_TRADES} not built yet "
    "(run `python -m pipelines build`)."
)
NO_TRADES = "No test-period trades by any rule yet (no forecasts, or no settled test days)."


def _read(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | str:
    """The rows to show, or why there are none."""
    if not columns_of(con, "main", FCT_FORECAST_STRATEGY_SUMMARY) or not columns_of(
        con, "main", FCT_BACKTEST_TRADES
    ):
        return NOT_BUILT
    frame = fetch_frame(con, QUERY)
    return NO_TRADES if frame.empty else frame


def _dollars(value: Decimal) -> str:
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def _rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for record in frame.to_dict("records"):
        settled = int(record["settled_count"])
        pnl = Decimal(str(record["pnl_dollars"]))
        rows.append(
            {
                "source": str(record["data_source"]),
                "station": str(record["station_icao"]),
                "contract": str(record["contract_type"]),
                "rule": str(record["strategy"]),
                "trades": f"{int(record['trade_count']):,}",
                "win_rate": f"{int(record['win_count']) / settled:.0%}" if settled else "–",
                "pnl": _dollars(pnl),
                "ev": _dollars(pnl / settled) if settled else "–",
            }
        )
    return rows


def forecast_strategies_section(con: duckdb.DuckDBPyConnection) -> Section:
    """The forecast strategies' test figures beside the thermometer rule's.

    Args:
        con: a read-only warehouse connection.

    Returns:
        The section: a table when any rule traded the test period, otherwise one note.
    """
    section = Section(
        "forecast-strategies",
        "Forecast strategies beside the thermometer rule (test period)",
        "Test-period trades, win rate over settled trades, P&L and EV per settled trade, per "
        "station and contract: the thermometer rule (fct_backtest_trades, executed trades) and "
        "the original system's forecast strategies (fct_forecast_strategy_trades: "
        "open_maker_base buys the forecast's bracket at the open and holds; "
        "open_maker_next_over also switches to the next bracket when the running extreme and "
        "the forecast pass the held one; parameters searched on train). Same fees, sizing and "
        "executable quotes. Simulated data sources use simulated forecasts.",
    )
    frame = _read(con)
    if isinstance(frame, str):
        section.notes.append(frame)
        return section
    section.table_html = table(TABLE_COLUMNS, _rows(frame), numeric=NUMERIC)
    return section
