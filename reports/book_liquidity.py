"""The "what the book looks like when we would trade" section, from ``fct_book_liquidity``.

One row per data source, book source, station, contract and hour of the local-standard-time
climate day: how often the book was two-sided, the spread, the depth at the best ask (when the
source knows sizes) and how often the running extreme's bracket was offered below the station's
accuracy. A warehouse without recorded books or top-of-book logs gets one line saying how to
record or load them.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import duckdb
import pandas as pd

from reports.html import Section, table
from reports.warehouse import columns_of, fetch_frame

log = logging.getLogger(__name__)

FCT_BOOK_LIQUIDITY = "fct_book_liquidity"
LIQUIDITY_COLUMNS = (
    "data_source",
    "book_source",
    "station_icao",
    "contract_type",
    "lst_hour",
    "minutes_observed",
    "two_sided_share",
    "median_spread_dollars",
    "p90_spread_dollars",
    "median_ask_depth",
    "running_bracket_minutes",
    "running_bracket_ask_below_accuracy_share",
)
NO_BOOKS = (
    "No order books yet: record them with `python -m pipelines record` (or load top-of-book "
    "logs), load the files with `python -m pipelines run --source files --path DIR`, then "
    "`python -m pipelines build`."
)
TABLE_COLUMNS = (
    ("source", "data · book source"),
    ("station", "station"),
    ("contract", "contract"),
    ("hour", "LST hour"),
    ("minutes", "minutes"),
    ("two_sided", "two-sided"),
    ("spread", "spread median / p90"),
    ("depth", "ask depth (median)"),
    ("below", "running bracket ask < accuracy"),
)
NUMERIC = frozenset({"hour", "minutes", "two_sided", "depth"})


def _cents(value: Decimal | float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value) * 100:.0f}¢"  # display only: the mart keeps the decimals


def _share(value: Decimal | float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.0%}"


def _read(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | str:
    """The mart's rows, or why there are none to show."""
    available = set(columns_of(con, "main", FCT_BOOK_LIQUIDITY))
    if not available:
        return f"{FCT_BOOK_LIQUIDITY} not built yet (run `python -m pipelines build`). {NO_BOOKS}"
    missing = [c for c in LIQUIDITY_COLUMNS if c not in available]
    if missing:
        return f"{FCT_BOOK_LIQUIDITY} lacks the columns {', '.join(missing)}: rebuild the marts."
    columns = ", ".join(f'"{c}"' for c in LIQUIDITY_COLUMNS)
    frame = fetch_frame(
        con,
        f'select {columns} from main."{FCT_BOOK_LIQUIDITY}" '
        "order by data_source, book_source, station_icao, contract_type, lst_hour",
    )
    return NO_BOOKS if frame.empty else frame


def _rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for record in frame.to_dict("records"):
        depth = record["median_ask_depth"]
        rows.append(
            {
                "source": f"{record['data_source']} · {record['book_source']}",
                "station": str(record["station_icao"]),
                "contract": str(record["contract_type"]),
                "hour": f"{int(record['lst_hour']):02d}",
                "minutes": f"{int(record['minutes_observed']):,}",
                "two_sided": _share(record["two_sided_share"]),
                "spread": f"{_cents(record['median_spread_dollars'])} / "
                f"{_cents(record['p90_spread_dollars'])}",
                "depth": "sizes unknown"
                if depth is None or pd.isna(depth)
                else f"{float(depth):,.0f}",
                "below": "no running extreme"
                if not int(record["running_bracket_minutes"] or 0)
                else _share(record["running_bracket_ask_below_accuracy_share"]),
            }
        )
    return rows


def book_liquidity_section(con: duckdb.DuckDBPyConnection) -> Section:
    """The book per hour of the climate day (the design's "what does the book look like at
    2 PM / 5 AM?").

    Args:
        con: a read-only warehouse connection.

    Returns:
        The section: a table when books were recorded or loaded, otherwise one note.
    """
    section = Section(
        "book-liquidity",
        "What the book looks like when we would trade",
        "fct_book_liquidity: per hour of the local-standard-time climate day, over every "
        "bracket's minutes with a known book - the share of minutes with both a YES bid and a "
        "YES ask, the spread, the contracts at the best ask, and how often the bracket holding "
        "the running extreme was offered below the station's accuracy.",
    )
    frame = _read(con)
    if isinstance(frame, str):
        section.notes.append(frame)
        return section
    section.table_html = table(TABLE_COLUMNS, _rows(frame), numeric=NUMERIC)
    return section
