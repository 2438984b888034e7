"""Recorded WebSocket files (:mod:`pipelines.kalshi_ws.files`) -> the ``raw_kalshi.ws_*`` tables.

Each line is parsed on its own: a line that is not an envelope, a message that is not JSON, an
unknown message type or a bad field becomes a reject naming ``file:line``; nothing else on the
file is lost. Prices and counts go through :mod:`domain.money` like every Kalshi parser; a book
delta keeps its sign. Protocol replies (subscribed, unsubscribed, ok, error) are not data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.bounds import check_json_depth
from domain.money import count_text, dollars_text
from pipelines.kalshi.fields import PARSE_ERRORS, ParseContext, ParseError, canonical_json, instant
from pipelines.kalshi.tables import Row, TableSpec
from pipelines.kalshi.ws_tables import (
    WS_GAPS,
    WS_LIFECYCLE,
    WS_ORDERBOOK_DELTAS,
    WS_ORDERBOOK_SNAPSHOTS,
    WS_SESSIONS,
    WS_TABLES,
    WS_TICKERS,
    WS_TRADES,
)
from pipelines.kalshi_ws.files import is_recording, read_lines

SOURCE_NAME = "kalshi_ws_recording"
PROTOCOL_TYPES = frozenset({"subscribed", "unsubscribed", "ok", "error", "list_subscriptions"})
BOOK_SIDES = ("yes", "no")
JsonObject = dict[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

__all__ = ["claims", "parse_recording", "recording_stages"]


def claims(path: Path) -> bool:
    """Is this a recorder file (``kalshi_ws-<day>.jsonl.gz`` whose first line is an envelope)?"""
    return is_recording(path)


def _object(value: object, name: str) -> JsonObject:
    if not isinstance(value, dict):
        raise ParseError(f"{name}: not an object")
    return value


def _text(obj: JsonObject, name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise ParseError(f"missing field {name!r}")
    return value


def _whole(obj: JsonObject, name: str) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ParseError(f"{name}: not a whole number")
    return value


def _signed_count(value: object, name: str) -> str:
    """A signed ``*_fp`` count (a book delta: ``"-5.00"``) as canonical text."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ParseError(f"{name}: not a count")
    text = str(value).strip()
    negative = text.startswith("-")
    magnitude = count_text(text.removeprefix("-"), name)
    if magnitude is None:
        raise ParseError(f"missing field {name!r}")
    return f"-{magnitude}" if negative and magnitude.strip("0.") else magnitude


def _millis(value: object, name: str) -> datetime | None:
    """Unix milliseconds as an aware UTC instant (exact: no float on the way)."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ParseError(f"{name}: not Unix milliseconds")
    try:
        return _EPOCH + timedelta(milliseconds=value)
    except OverflowError as exc:
        raise ParseError(f"{name}: Unix milliseconds out of range") from exc


class _File:
    """One file's rows per table, its sessions, and where each row came from."""

    def __init__(self, path: Path, ctx: ParseContext) -> None:
        self.path = path
        self.ctx = ctx
        self.rows: dict[str, list[Row]] = {spec.name: [] for spec in WS_TABLES}
        self.sessions: dict[str, Row] = {}

    def base(self, line: int, received_at: datetime, conn: str) -> Row:
        return {
            "source_file": self.path.name,
            "source_line": line,
            "received_at": received_at,
            "connection_id": conn,
            **self.ctx.provenance(f"{self.path}:{line}"),
        }

    def session(self, conn: str, received_at: datetime) -> None:
        row = self.sessions.get(conn)
        if row is None:
            self.sessions[conn] = {
                "source_file": self.path.name,
                "connection_id": conn,
                "first_received_at": received_at,
                "last_received_at": received_at,
                "line_count": 1,
                **self.ctx.provenance(str(self.path)),
            }
            return
        row["first_received_at"] = min(row["first_received_at"], received_at)
        row["last_received_at"] = max(row["last_received_at"], received_at)
        row["line_count"] += 1

    def line(self, number: int, text: str) -> None:
        check_json_depth(text)
        record = _object(json.loads(text), "envelope")
        received_at = instant(record.get("received_at"), "received_at")
        conn = record.get("conn")
        if received_at is None or not isinstance(conn, str) or not conn:
            raise ParseError("not a recorder envelope (received_at, conn)")
        base = self.base(number, received_at, conn)
        if "recorder" in record:
            self.marker(base, _object(record["recorder"], "recorder"))
        else:
            raw = record.get("raw")
            if not isinstance(raw, str):
                raise ParseError("envelope without raw message")
            check_json_depth(raw)
            self.message(base, _object(json.loads(raw), "message"))
        self.session(conn, received_at)

    def marker(self, base: Row, event: JsonObject) -> None:
        if event.get("event") != "gap":
            return  # connected, heartbeat: the session's span says enough
        markets = event.get("market_tickers") or []
        if not isinstance(markets, list) or not all(isinstance(m, str) for m in markets):
            raise ParseError("gap marker: market_tickers is not a list of tickers")
        for market in markets:
            self.rows[WS_GAPS.name].append(
                {
                    **base,
                    "market_ticker": market,
                    "reason": str(event.get("reason") or "unknown"),
                    "channel": event.get("channel"),
                    "sid": _whole(event, "sid"),
                    "expected_seq": _whole(event, "expected_seq"),
                    "received_seq": _whole(event, "seq"),
                }
            )

    def message(self, base: Row, message: JsonObject) -> None:
        kind = message.get("type")
        if kind in PROTOCOL_TYPES:
            return
        parse = _PARSERS.get(kind) if isinstance(kind, str) else None
        if parse is None:
            raise ParseError(f"unknown message type {kind!r}")
        spec, rows = parse(base, message, _object(message.get("msg"), "msg"))
        self.rows[spec.name].extend(rows)


def _snapshot(base: Row, message: JsonObject, body: JsonObject) -> tuple[TableSpec, list[Row]]:
    head = {
        **base,
        "market_ticker": _text(body, "market_ticker"),
        "sid": _whole(message, "sid"),
        "seq": _whole(message, "seq"),
    }
    rows: list[Row] = []
    for side in BOOK_SIDES:
        levels = body.get(f"{side}_dollars_fp") or []
        if not isinstance(levels, list):
            raise ParseError(f"{side}_dollars_fp: not a list of levels")
        parsed = []
        for level in levels:
            if not isinstance(level, list) or len(level) != 2:
                raise ParseError(f"{side} level not a [price, size] pair")
            parsed.append(
                (dollars_text(level[0], f"{side}.price"), count_text(level[1], f"{side}.size"))
            )
        parsed.sort(key=lambda pair: pair[0] or "", reverse=True)  # best (highest) bid first
        if not parsed:  # an empty side: one row with no price says so
            parsed = [(None, None)]
        for index, (price, size) in enumerate(parsed):
            rows.append(
                {**head, "book_side": side, "level": index, "price_dollars": price, "size_fp": size}
            )
    return WS_ORDERBOOK_SNAPSHOTS, rows


def _delta(base: Row, message: JsonObject, body: JsonObject) -> tuple[TableSpec, list[Row]]:
    side = body.get("side")
    if side not in BOOK_SIDES:
        raise ParseError(f"side: {side!r} is not yes or no")
    price = dollars_text(body.get("price_dollars"), "price_dollars")
    if price is None:
        raise ParseError("missing field 'price_dollars'")
    row = {
        **base,
        "market_ticker": _text(body, "market_ticker"),
        "sid": _whole(message, "sid"),
        "seq": _whole(message, "seq"),
        "book_side": side,
        "price_dollars": price,
        "delta_fp": _signed_count(body.get("delta_fp"), "delta_fp"),
        "exchange_at": _millis(body.get("ts_ms"), "ts_ms"),
    }
    return WS_ORDERBOOK_DELTAS, [row]


_TICKER_PRICES = ("price_dollars", "yes_bid_dollars", "yes_ask_dollars")
_TICKER_COUNTS = ("volume_fp", "open_interest_fp")
_TICKER_CENTS = ("dollar_volume", "dollar_open_interest")


def _ticker(base: Row, message: JsonObject, body: JsonObject) -> tuple[TableSpec, list[Row]]:
    used = {"market_ticker", "ts", *_TICKER_PRICES, *_TICKER_COUNTS, *_TICKER_CENTS}
    row = {
        **base,
        "market_ticker": _text(body, "market_ticker"),
        "sid": _whole(message, "sid"),
        "exchange_at": instant(body.get("ts"), "ts"),
        **{name: dollars_text(body.get(name), name) for name in _TICKER_PRICES},
        **{name: count_text(body.get(name), name) for name in _TICKER_COUNTS},
        **{name: _whole(body, name) for name in _TICKER_CENTS},
        "extra_json": canonical_json({k: v for k, v in body.items() if k not in used}),
    }
    return WS_TICKERS, [row]


def _trade(base: Row, message: JsonObject, body: JsonObject) -> tuple[TableSpec, list[Row]]:
    row = {
        **base,
        "trade_id": _text(body, "trade_id"),
        "market_ticker": _text(body, "market_ticker"),
        "yes_price_dollars": dollars_text(body.get("yes_price_dollars"), "yes_price_dollars"),
        "no_price_dollars": dollars_text(body.get("no_price_dollars"), "no_price_dollars"),
        "count_fp": count_text(body.get("count_fp"), "count_fp"),
        "taker_side": body.get("taker_side") or body.get("taker_outcome_side"),
        "created_at": instant(body.get("ts"), "ts"),
    }
    return WS_TRADES, [row]


def _lifecycle(base: Row, message: JsonObject, body: JsonObject) -> tuple[TableSpec, list[Row]]:
    used = {"market_ticker", "event_type", "result"}
    row = {
        **base,
        "market_ticker": _text(body, "market_ticker"),
        "event_type": _text(body, "event_type"),
        "result": body.get("result") if isinstance(body.get("result"), str) else None,
        "extra_json": canonical_json({k: v for k, v in body.items() if k not in used}),
    }
    return WS_LIFECYCLE, [row]


_PARSERS: dict[str, Callable[[Row, JsonObject, JsonObject], tuple[TableSpec, list[Row]]]] = {
    "orderbook_snapshot": _snapshot,
    "orderbook_delta": _delta,
    "ticker": _ticker,
    "trade": _trade,
    "market_lifecycle_v2": _lifecycle,
}


def parse_recording(path: Path, ctx: ParseContext) -> dict[str, list[Row]]:
    """Every line of one recording as rows of the ``ws_*`` tables (bad lines -> rejects).

    Args:
        path: the recording.
        ctx: provenance and reject sink.

    Returns:
        Table name -> rows (``ws_sessions``: one row per connection seen in the file).
    """
    parsed = _File(path, ctx)
    for number, text, error in read_lines(path):
        where = f"{path}:{number}"
        if error is not None or text is None:
            ctx.reject(SOURCE_NAME, error or "unreadable line", text or "", where)
            continue
        if not text.strip():
            continue
        try:
            parsed.line(number, text)
        except PARSE_ERRORS as exc:
            ctx.reject(SOURCE_NAME, str(exc) or type(exc).__name__, text, where)
    parsed.rows[WS_SESSIONS.name] = list(parsed.sessions.values())
    return parsed.rows


def recording_stages(
    paths: Iterable[Path], ctx: ParseContext
) -> list[tuple[TableSpec, Callable[[], Iterator[Row]]]]:
    """One (table, rows) stage per ``ws_*`` table; every file is parsed once, on first use."""
    cache: dict[str, list[Row]] = {}

    def _parsed() -> dict[str, list[Row]]:
        if not cache:
            for spec in WS_TABLES:
                cache[spec.name] = []
            for path in sorted(paths):
                for name, rows in parse_recording(path, ctx).items():
                    cache[name].extend(rows)
        return cache

    def _rows(name: str) -> Callable[[], Iterator[Row]]:
        def _make() -> Iterator[Row]:
            yield from _parsed()[name]

        return _make

    return [(spec, _rows(spec.name)) for spec in WS_TABLES]
