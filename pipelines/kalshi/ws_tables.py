"""The raw tables of recorded WebSocket files (``raw_kalshi.ws_*``): keys and column types.

Every row is keyed by the recording's file name and line (plus side and level for book levels),
so re-loading a file, or a day file that has grown since, never duplicates a row.
"""

from __future__ import annotations

from pipelines.kalshi.tables import TableSpec

_LINE_KEY = ("data_source", "source_file", "source_line")
_LINE = {
    "data_source": "text",
    "source_file": "text",
    "source_line": "bigint",
    "received_at": "timestamp",
    "connection_id": "text",
}
_PROVENANCE = {"ingest_channel": "text", "source_location": "text"}

WS_ORDERBOOK_SNAPSHOTS = TableSpec(
    "ws_orderbook_snapshots",
    (*_LINE_KEY, "book_side", "level"),
    {
        **_LINE,
        "market_ticker": "text",
        "sid": "bigint",
        "seq": "bigint",
        "book_side": "text",
        "level": "bigint",
        "price_dollars": "text",
        "size_fp": "text",
        **_PROVENANCE,
    },
)

WS_ORDERBOOK_DELTAS = TableSpec(
    "ws_orderbook_deltas",
    _LINE_KEY,
    {
        **_LINE,
        "market_ticker": "text",
        "sid": "bigint",
        "seq": "bigint",
        "book_side": "text",
        "price_dollars": "text",
        "delta_fp": "text",
        "exchange_at": "timestamp",
        **_PROVENANCE,
    },
)

WS_GAPS = TableSpec(
    "ws_gaps",
    (*_LINE_KEY, "market_ticker"),
    {
        **_LINE,
        "market_ticker": "text",
        "reason": "text",
        "channel": "text",
        "sid": "bigint",
        "expected_seq": "bigint",
        "received_seq": "bigint",
        **_PROVENANCE,
    },
)

WS_SESSIONS = TableSpec(
    "ws_sessions",
    ("data_source", "source_file", "connection_id"),
    {
        "data_source": "text",
        "source_file": "text",
        "connection_id": "text",
        "first_received_at": "timestamp",
        "last_received_at": "timestamp",
        "line_count": "bigint",
        **_PROVENANCE,
    },
)

WS_TICKERS = TableSpec(
    "ws_tickers",
    _LINE_KEY,
    {
        **_LINE,
        "market_ticker": "text",
        "sid": "bigint",
        "exchange_at": "timestamp",
        "price_dollars": "text",
        "yes_bid_dollars": "text",
        "yes_ask_dollars": "text",
        "volume_fp": "text",
        "open_interest_fp": "text",
        "dollar_volume": "bigint",
        "dollar_open_interest": "bigint",
        "extra_json": "text",
        **_PROVENANCE,
    },
)

WS_TRADES = TableSpec(
    "ws_trades",
    _LINE_KEY,
    {
        **_LINE,
        "trade_id": "text",
        "market_ticker": "text",
        "yes_price_dollars": "text",
        "no_price_dollars": "text",
        "count_fp": "text",
        "taker_side": "text",
        "created_at": "timestamp",
        **_PROVENANCE,
    },
)

WS_LIFECYCLE = TableSpec(
    "ws_lifecycle",
    _LINE_KEY,
    {
        **_LINE,
        "market_ticker": "text",
        "event_type": "text",
        "result": "text",
        "extra_json": "text",
        **_PROVENANCE,
    },
)

WS_TABLES = (
    WS_ORDERBOOK_SNAPSHOTS,
    WS_ORDERBOOK_DELTAS,
    WS_GAPS,
    WS_SESSIONS,
    WS_TICKERS,
    WS_TRADES,
    WS_LIFECYCLE,
)
