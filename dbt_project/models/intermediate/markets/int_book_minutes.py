"""int_book_minutes: recorded order books replayed to the book at each whole minute.

Thin glue: read int_book_events in recorded order and each connection's last recorded line
(stg_kalshi__ws_sessions), hand each market's events to ``domain.book_replay.replay_minutes``
(its docstring has the rules: snapshots replace, deltas add on their own stream, gaps and a
connection's end make the book unknown, and unknown minutes are not emitted), and type the
result in DuckDB. Money leaves Python as text and is cast to decimal (no float on the way).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COLUMNS = (
    ("data_source", "varchar"),
    ("market_ticker", "varchar"),
    ("minute_at", "timestamptz"),
    ("best_yes_bid_dollars", "decimal(18, 4)"),
    ("best_yes_bid_size", "decimal(18, 2)"),
    ("best_no_bid_dollars", "decimal(18, 4)"),
    ("best_no_bid_size", "decimal(18, 2)"),
    ("yes_depth", "decimal(18, 2)"),
    ("no_depth", "decimal(18, 2)"),
    ("yes_level_count", "integer"),
    ("no_level_count", "integer"),
)


def _instant(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _scaled(units: int | None, scale: int) -> Decimal | None:
    return None if units is None else Decimal(units).scaleb(-scale)


def model(dbt: Any, session: Any) -> Any:
    """Replay every recorded market; one row per market and minute its book is known."""
    import pandas as pd

    from domain.book_replay import BookEvent, replay_minutes

    dbt.config(materialized="table")
    session.register("__book_events", dbt.ref("int_book_events"))
    session.register("__book_sessions", dbt.ref("stg_kalshi__ws_sessions"))
    ends = {
        connection: _instant(micros)
        for connection, micros in session.execute(
            "select connection_id, epoch_us(max(last_received_at)) from __book_sessions "
            "group by connection_id"
        ).fetchall()
    }
    rows = session.execute(
        "select data_source, market_ticker, epoch_us(received_at), event_kind, connection_id, "
        "book_stream, seq, book_side, cast(price_dollars * 10000 as bigint), "
        "cast(size * 100 as bigint) from __book_events "
        "order by data_source, market_ticker, received_at, source_file, source_line, level_index"
    ).fetchall()
    out: list[list[str | None]] = []
    for (source, market), group in groupby(rows, key=lambda row: (row[0], row[1])):
        events = []
        stream_ends: dict[str, datetime] = {}
        for _, _, micros, kind, connection, stream, seq, side, price, size in group:
            if stream is not None and connection in ends:
                stream_ends[stream] = ends[connection]
            events.append(
                BookEvent(
                    _instant(micros), kind, stream, seq, side, _scaled(price, 4), _scaled(size, 2)
                )
            )
        for book in replay_minutes(events, stream_ends):
            out.append(
                [source, market, book.minute_at.isoformat()]
                + [
                    None if value is None else str(value)
                    for value in (
                        book.best_yes_bid,
                        book.best_yes_bid_size,
                        book.best_no_bid,
                        book.best_no_bid_size,
                        book.yes_depth,
                        book.no_depth,
                        book.yes_levels,
                        book.no_levels,
                    )
                ]
            )
    raw = pd.DataFrame(out, columns=[name for name, _ in COLUMNS], dtype=object)
    session.register("__book_minutes_raw", raw)
    casts = ", ".join(f"cast({name} as {sql_type}) as {name}" for name, sql_type in COLUMNS)
    return session.sql(
        f"select {casts} from __book_minutes_raw order by data_source, market_ticker, minute_at"
    )
