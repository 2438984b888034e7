"""The "paper/live results" section: what the trader's journals made, beside the backtest.

Read from ``fct_trader_daily`` (built from the journals loaded with ``python -m pipelines run
--source trader``). Most warehouses never load a journal: then the section is one line saying
so and how to load one.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import duckdb
import pandas as pd

from reports import trader_plots
from reports.html import Figure, Section, table
from reports.warehouse import columns_of, fetch_frame

log = logging.getLogger(__name__)

FCT_TRADER_DAILY = "fct_trader_daily"
# The mart's columns this section reads (docs: the mart's yml).
DAILY_COLUMNS = (
    "data_source",
    "journal_id",
    "broker",
    "station_icao",
    "contract_type",
    "climate_date",
    "trade_count",
    "settled_trade_count",
    "win_count",
    "fee_dollars",
    "pnl_dollars",
    "expected_pnl_dollars",
    "backtest_trade_count",
    "backtest_win_rate",
    "backtest_pnl_per_trade_dollars",
    "backtest_verdict",
)
NO_JOURNAL = (
    "No journal loaded: load one with `python -m pipelines run --source trader --path "
    "warehouse/trader/journal.sqlite`, then `python -m pipelines build`."
)
RESULT_COLUMNS = (
    ("book", "journal · broker"),
    ("data_source", "data"),
    ("station", "station"),
    ("contract", "contract"),
    ("days", "days"),
    ("trades", "trades"),
    ("settled", "settled"),
    ("win_rate", "win rate"),
    ("fees", "fees"),
    ("pnl", "P&L"),
    ("expected", "backtest expects"),
    ("backtest", "backtest: trades, win rate, P&L/trade"),
    ("verdict", "verdict"),
)
NUMERIC = frozenset({"days", "trades", "settled", "win_rate", "fees", "pnl", "expected"})


def _dollars(value: Decimal | float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    amount = float(value)  # display only: the mart keeps the decimals
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def _rate(value: Decimal | float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.0%}"


def _read(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | str:
    """The mart's rows, or why there are none to show."""
    available = set(columns_of(con, "main", FCT_TRADER_DAILY))
    if not available:
        return f"{FCT_TRADER_DAILY} not built yet (run `python -m pipelines build`). {NO_JOURNAL}"
    missing = [c for c in DAILY_COLUMNS if c not in available]
    if missing:
        return f"{FCT_TRADER_DAILY} lacks the columns {', '.join(missing)}: rebuild the marts."
    columns = ", ".join(f'"{c}"' for c in DAILY_COLUMNS)
    frame = fetch_frame(
        con, f'select {columns} from main."{FCT_TRADER_DAILY}" order by climate_date'
    )
    return NO_JOURNAL if frame.empty else frame


def _book(frame: pd.DataFrame) -> pd.Series:
    return frame["journal_id"].astype(str) + " · " + frame["broker"].astype(str)


def _summary_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    keys = ["book", "data_source", "station_icao", "contract_type"]
    for (book, source, station, contract), part in frame.groupby(keys, sort=True):
        settled = int(part["settled_trade_count"].sum())
        first = part.iloc[0]
        backtest = (
            f"{int(first['backtest_trade_count'])}, {_rate(first['backtest_win_rate'])}, "
            f"{_dollars(first['backtest_pnl_per_trade_dollars'])}"
            if int(first["backtest_trade_count"])
            else "no backtest trades"
        )
        rows.append(
            {
                "book": str(book),
                "data_source": str(source),
                "station": str(station),
                "contract": str(contract),
                "days": str(len(part)),
                "trades": str(int(part["trade_count"].sum())),
                "settled": str(settled),
                "win_rate": _rate(part["win_count"].sum() / settled if settled else None),
                "fees": _dollars(part["fee_dollars"].sum()),
                "pnl": _dollars(part["pnl_dollars"].sum(min_count=1)),
                "expected": _dollars(part["expected_pnl_dollars"].sum(min_count=1)),
                "backtest": backtest,
                "verdict": "–"
                if pd.isna(first["backtest_verdict"])
                else str(first["backtest_verdict"]),
            }
        )
    return rows


def trader_results_section(con: duckdb.DuckDBPyConnection) -> Section:
    """Paper/live results per journal, broker mode, station and contract, and the P&L curve.

    Args:
        con: a read-only warehouse connection.

    Returns:
        The section: a table and a figure when a journal was loaded, otherwise one note.
    """
    section = Section(
        "trader-results",
        "Paper/live results",
        "fct_trader_daily: what the trader's journals did - trades (filled orders), settled "
        "trades, win rate, fees and realised P&L after fees, per journal and broker mode "
        "(paper or live), station and contract - beside the engine backtest's expectation for "
        "the same data source, station and contract (its test period: P&L per trade times the "
        "settled trades). The figure is the cumulative realised P&L by climate date per journal "
        "and broker mode.",
    )
    frame = _read(con)
    if isinstance(frame, str):
        section.notes.append(frame)
        return section
    frame["book"] = _book(frame)
    section.table_html = table(RESULT_COLUMNS, _summary_rows(frame), numeric=NUMERIC)
    try:
        lines = frame.assign(book=frame["book"] + " (" + frame["data_source"].astype(str) + ")")
        png = trader_plots.cumulative_pnl(
            lines.rename(columns={"climate_date": "date", "pnl_dollars": "pnl"}),
            "Cumulative realised P&L by climate date, per journal and broker mode",
        )
    except Exception as exc:  # a broken figure must not sink the whole report
        log.exception("could not draw the paper/live P&L curve")
        section.notes.append(f"Could not draw the cumulative P&L ({exc}).")
        return section
    section.figures.append(
        Figure(
            png,
            "cumulative realised P&L per journal and broker mode",
            f"source: main.{FCT_TRADER_DAILY}; total realised P&L "
            f"{_dollars(frame['pnl_dollars'].sum(min_count=1))} over "
            f"{int(frame['settled_trade_count'].sum())} settled trades.",
        )
    )
    return section
