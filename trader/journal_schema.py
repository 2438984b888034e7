"""The journal's SQLite schema (STRICT tables; money and timestamps as TEXT).

Money and other exact numbers are plain decimal strings (``"0.4500"``), never REAL: the
CHECKs refuse any other storage class and any other spelling (no exponents).
Timestamps are ISO 8601 UTC strings (``2026-02-19T18:05:00+00:00``), dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

SCHEMA_VERSION = 2


def _decimal(col: str, nullable: bool = False) -> str:
    # ANY, not TEXT: a TEXT column would silently turn a REAL into text; this refuses it.
    check = f"typeof({col}) = 'text' AND {col} GLOB '*[0-9]*' AND {col} NOT GLOB '*[^0-9.-]*'"
    if nullable:
        return f"{col} ANY CHECK ({col} IS NULL OR ({check}))"
    return f"{col} ANY NOT NULL CHECK ({check})"


_BROKER_COLUMN = "broker TEXT NOT NULL DEFAULT 'paper' CHECK (broker IN ('paper', 'live'))"

DDL: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS decisions (
        decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
        decided_at TEXT NOT NULL,
        station_icao TEXT NOT NULL,
        contract_type TEXT NOT NULL CHECK (contract_type IN ('HIGH', 'LOW')),
        climate_date TEXT NOT NULL,
        checkpoint_minute INTEGER NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('GO', 'KILL')),
        rule TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('BUY_YES', 'NO_TRADE')),
        reason_code TEXT NOT NULL,
        reason TEXT NOT NULL,
        market_ticker TEXT,
        {_decimal("price", nullable=True)},
        count INTEGER NOT NULL,
        {_decimal("fee")},
        {_decimal("probability", nullable=True)},
        {_decimal("expected_value_per_contract", nullable=True)},
        running_extreme_f INTEGER,
        {_decimal("observation_age_minutes", nullable=True)}
    ) STRICT
    """,
    "CREATE INDEX IF NOT EXISTS decisions_by_day ON decisions (climate_date, station_icao)",
    f"""
    CREATE TABLE IF NOT EXISTS orders (
        order_row_id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedup_key TEXT NOT NULL UNIQUE,
        client_order_id TEXT NOT NULL UNIQUE CHECK (length(client_order_id) <= 64),
        station_icao TEXT NOT NULL,
        contract_type TEXT NOT NULL CHECK (contract_type IN ('HIGH', 'LOW')),
        climate_date TEXT NOT NULL,
        market_ticker TEXT NOT NULL,
        bracket_lower INTEGER,
        bracket_upper INTEGER,
        side TEXT NOT NULL CHECK (side = 'yes'),
        action TEXT NOT NULL CHECK (action = 'buy'),
        count INTEGER NOT NULL CHECK (count > 0),
        {_decimal("limit_price")},
        status TEXT NOT NULL
            CHECK (status IN ('intent', 'sent', 'filled', 'partial', 'rejected', 'unknown')),
        status_reason TEXT,
        venue_order_id TEXT,
        decision_id INTEGER REFERENCES decisions (decision_id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        {_BROKER_COLUMN}
    ) STRICT
    """,
    f"""
    CREATE TABLE IF NOT EXISTS fills (
        fill_id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
        market_ticker TEXT NOT NULL,
        {_decimal("count")},
        {_decimal("price")},
        {_decimal("fee")},
        is_taker INTEGER NOT NULL CHECK (is_taker IN (0, 1)),
        filled_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    ) STRICT
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlements (
        client_order_id TEXT PRIMARY KEY REFERENCES orders (client_order_id),
        market_ticker TEXT NOT NULL,
        market_result TEXT NOT NULL CHECK (market_result IN ('yes', 'no', 'void')),
        settled_value_f INTEGER,
        running_extreme_f INTEGER,
        extreme_disagrees INTEGER NOT NULL CHECK (extreme_disagrees IN (0, 1)),
        {_decimal("pnl")},
        risk_day TEXT NOT NULL,
        settled_at TEXT NOT NULL
    ) STRICT
    """,
    """
    CREATE TABLE IF NOT EXISTS breaker_events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        breaker TEXT NOT NULL,
        scope TEXT NOT NULL,
        state_from TEXT NOT NULL,
        state_to TEXT NOT NULL,
        reason TEXT NOT NULL,
        until_at TEXT
    ) STRICT
    """,
    """
    CREATE TABLE IF NOT EXISTS heartbeats (
        heartbeat_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
    ) STRICT
    """,
    f"""
    CREATE TABLE IF NOT EXISTS running_extremes (
        station_icao TEXT NOT NULL,
        climate_date TEXT NOT NULL,
        running_max_f INTEGER,
        running_min_f INTEGER,
        {_decimal("running_max_f_precise", nullable=True)},
        {_decimal("running_min_f_precise", nullable=True)},
        observation_count INTEGER NOT NULL,
        latest_observed_at TEXT,
        as_of TEXT NOT NULL,
        PRIMARY KEY (station_icao, climate_date)
    ) STRICT
    """,
    """
    CREATE TABLE IF NOT EXISTS reconciliation_events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        client_order_id TEXT,
        market_ticker TEXT,
        detail TEXT NOT NULL
    ) STRICT
    """,
    "CREATE INDEX IF NOT EXISTS reconciliation_events_by_order "
    "ON reconciliation_events (client_order_id, kind)",
)

# Version 1 -> 2: which broker an order was meant for (every earlier order was paper).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (f"ALTER TABLE orders ADD COLUMN {_BROKER_COLUMN}",),
}
