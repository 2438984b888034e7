"""The raw Kalshi tables: names, primary keys, column types, and Arrow batches of their rows.

Every raw table is ``write_disposition="merge"`` on a primary key that includes ``data_source``;
rows reach dlt as Arrow tables with these schemas (fast, and typed even when all-null).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema, TTableSchemaColumns

Row = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Table schemas: dlt column types; the primary keys follow docs/architecture.md.
# --------------------------------------------------------------------------------------------

_PROVENANCE = {"data_source": "text", "ingest_channel": "text", "source_location": "text"}


@dataclass(frozen=True)
class TableSpec:
    """One raw table: name, primary key and column types (dlt data types)."""

    name: str
    primary_key: tuple[str, ...]
    columns: dict[str, str]

    def dlt_columns(self) -> TTableSchemaColumns:
        """The ``columns=`` hint for a dlt resource."""
        return {
            name: cast(TColumnSchema, {"data_type": kind, "nullable": name not in self.primary_key})
            for name, kind in self.columns.items()
        }


MONEY_COLUMNS = (
    "yes_bid_dollars",
    "yes_ask_dollars",
    "no_bid_dollars",
    "no_ask_dollars",
    "last_price_dollars",
    "previous_price_dollars",
    "previous_yes_bid_dollars",
    "previous_yes_ask_dollars",
    "settlement_value_dollars",
    "liquidity_dollars",
    "notional_value_dollars",
)
COUNT_COLUMNS = ("volume_fp", "volume_24h_fp", "open_interest_fp", "yes_bid_size_fp")
MARKET_TIME_COLUMNS = (
    "open_time",
    "close_time",
    "created_time",
    "updated_time",
    "expected_expiration_time",
    "expiration_time",
    "latest_expiration_time",
    "settlement_ts",
)

SERIES = TableSpec(
    "series",
    ("data_source", "series_ticker"),
    {
        "data_source": "text",
        "series_ticker": "text",
        "title": "text",
        "category": "text",
        "frequency": "text",
        "tags": "text",
        "fee_type": "text",
        "fee_multiplier": "text",
        "settlement_sources": "text",
        "contract_terms_url": "text",
        "contract_url": "text",
        "content_hash": "text",
        "extra_json": "text",
        "fetched_at": "timestamp",
        "ingest_channel": "text",
        "source_location": "text",
    },
)

SERIES_SNAPSHOTS = TableSpec(
    "series_snapshots",
    ("data_source", "series_ticker", "content_hash"),
    {
        "data_source": "text",
        "series_ticker": "text",
        "content_hash": "text",
        "fee_type": "text",
        "fee_multiplier": "text",
        "settlement_sources": "text",
        "contract_terms_url": "text",
        "first_seen_at": "timestamp",
        "ingest_channel": "text",
        "source_location": "text",
    },
)

EVENTS = TableSpec(
    "events",
    ("data_source", "event_ticker"),
    {
        "data_source": "text",
        "event_ticker": "text",
        "series_ticker": "text",
        "title": "text",
        "sub_title": "text",
        "category": "text",
        "strike_date": "timestamp",
        "strike_period": "text",
        "mutually_exclusive": "bool",
        "extra_json": "text",
        **_PROVENANCE,
    },
)

MARKETS = TableSpec(
    "markets",
    ("data_source", "market_ticker"),
    {
        "data_source": "text",
        "market_ticker": "text",
        "event_ticker": "text",
        "series_ticker": "text",
        "market_tier": "text",
        "market_type": "text",
        "title": "text",
        "yes_sub_title": "text",
        "no_sub_title": "text",
        "status": "text",
        "result": "text",
        "strike_type": "text",
        "floor_strike": "text",
        "cap_strike": "text",
        "custom_strike": "text",
        **dict.fromkeys(MARKET_TIME_COLUMNS, "timestamp"),
        "expiration_value": "text",
        **dict.fromkeys(MONEY_COLUMNS, "text"),
        **dict.fromkeys(COUNT_COLUMNS, "text"),
        "price_level_structure": "text",
        "rules_primary": "text",
        "rules_secondary": "text",
        "can_close_early": "bool",
        "extra_json": "text",
        **_PROVENANCE,
    },
)

_CANDLE_PRICE_COLUMNS = tuple(
    f"{side}_{point}_dollars"
    for side in ("yes_bid", "yes_ask")
    for point in ("open", "high", "low", "close")
) + tuple(
    f"price_{point}_dollars" for point in ("open", "high", "low", "close", "mean", "previous")
)

CANDLESTICKS = TableSpec(
    "candlesticks",
    ("data_source", "market_ticker", "period_minutes", "end_period_ts"),
    {
        "data_source": "text",
        "market_ticker": "text",
        "period_minutes": "bigint",
        "end_period_ts": "timestamp",
        "series_ticker": "text",
        "candle_tier": "text",
        **dict.fromkeys(_CANDLE_PRICE_COLUMNS, "text"),
        "volume_fp": "text",
        "open_interest_fp": "text",
        "trade_count": "bigint",
        **_PROVENANCE,
    },
)

TRADES = TableSpec(
    "trades",
    ("data_source", "trade_id"),
    {
        "data_source": "text",
        "trade_id": "text",
        "market_ticker": "text",
        "count_fp": "text",
        "yes_price_dollars": "text",
        "no_price_dollars": "text",
        "taker_side": "text",
        "created_time": "timestamp",
        **_PROVENANCE,
    },
)

ORDERBOOK_SNAPSHOTS = TableSpec(
    "orderbook_snapshots",
    ("data_source", "market_ticker", "snapshot_at", "book_side", "level"),
    {
        "data_source": "text",
        "market_ticker": "text",
        "snapshot_at": "timestamp",
        "book_side": "text",
        "level": "bigint",
        "price_dollars": "text",
        "size_fp": "text",
        **_PROVENANCE,
    },
)


_ARROW_TYPES = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of a raw table (batches are handed to dlt as Arrow tables: fast)."""
    return pa.schema(
        [
            pa.field(name, _ARROW_TYPES[kind], nullable=name not in spec.primary_key)
            for name, kind in spec.columns.items()
        ]
    )


def _to_arrow(batch: list[Row], schema: pa.Schema) -> pa.Table:
    """Rows -> Arrow table with the table's schema (missing keys become null)."""
    return pa.Table.from_pylist(batch, schema=schema)


def arrow_batches(
    rows: Iterable[Row],
    spec: TableSpec,
    batch_rows: int = 20_000,
    on_batch: Callable[[int], None] | None = None,
) -> Iterator[pa.Table]:
    """Stream rows into Arrow tables of at most ``batch_rows`` rows with the table's schema.

    Args:
        rows: parsed rows (missing columns become null).
        spec: the target table.
        batch_rows: rows per batch.
        on_batch: called with each batch's size (progress bars).

    Returns:
        An iterator of Arrow tables.
    """
    schema = arrow_schema(spec)
    batch: list[Row] = []
    yielded = False
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_rows:
            yielded = True
            yield _to_arrow(batch, schema)
            if on_batch:
                on_batch(len(batch))
            batch = []
    if batch or not yielded:
        # An empty table still creates the raw table (dbt sources need it to exist).
        yield _to_arrow(batch, schema)
        if on_batch:
            on_batch(len(batch))
