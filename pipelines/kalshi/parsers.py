"""Normalise Kalshi API objects into raw-table rows (one code path for http, files and sample).

Prices and counts are parsed exactly by :mod:`domain.money` (never float) and stored as its
canonical text (``"0.2700"`` dollars, ``"10.00"`` counts). Legacy integer-cent fields
(``yes_bid``, ``last_price``, ``volume``...) are accepted when the ``*_dollars`` / ``*_fp``
field is absent. Live candles (``yes_bid.open_dollars``) and historical candles
(``yes_bid.open``) land in the same columns. A row that cannot be parsed becomes a
:class:`~pipelines.rejects.Reject` with the reason; nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from adapters.kalshi.orderbook import parse_orderbook_body
from domain.bounds import shown
from domain.money import (
    MoneyFormatError,
    amount_cents_text,
    amount_text,
    cents_text,
    count_text,
    dollars_text,
    format_count,
    format_dollars,
    is_absent,
    number_text,
)
from pipelines.kalshi.tables import COUNT_COLUMNS, MARKET_TIME_COLUMNS, MONEY_COLUMNS, Row
from pipelines.rejects import Reject

JsonObject = dict[str, Any]
_Parsed = TypeVar("_Parsed")

MARKET_TIERS = ("live", "historical", "files")


class ParseError(ValueError):
    """A field that cannot be normalised; the message becomes the reject reason."""


# --------------------------------------------------------------------------------------------
# Field readers (prices and counts: domain.money)
# --------------------------------------------------------------------------------------------


# ISO-8601 instants are at most ~35 characters; Unix seconds stay within datetime's years.
MAX_INSTANT_CHARS = 64
_MAX_EPOCH_DIGITS = 11


@lru_cache(maxsize=131072)
def _parse_instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_epoch(seconds: int, value: object, field_name: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ParseError(f"{field_name}: Unix time out of range: {shown(value)}") from exc


def instant(value: object, field_name: str) -> datetime | None:
    """An ISO-8601 string or Unix seconds as an aware UTC datetime; None if absent.

    Args:
        value: the raw value.
        field_name: the field, for the error message.

    Returns:
        The instant, or None.
    """
    if is_absent(value):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_epoch(value, value, field_name)
    if not isinstance(value, str):
        raise ParseError(f"{field_name}: not an instant: {shown(value)}")
    text = value.strip()
    if len(text) > MAX_INSTANT_CHARS:
        raise ParseError(f"{field_name}: longer than {MAX_INSTANT_CHARS} characters")
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit():
        if len(digits) > _MAX_EPOCH_DIGITS:
            raise ParseError(f"{field_name}: Unix time out of range: {shown(value)}")
        return _from_epoch(int(text), value, field_name)
    try:
        return _parse_instant(text)
    except ValueError as exc:
        raise ParseError(f"{field_name}: not an ISO-8601 instant: {shown(value)}") from exc


Normaliser = Callable[[object, str], str | None]


def _new_or_legacy(
    obj: JsonObject, new_key: str, name: str, used: set[str], new: Normaliser, old: Normaliser
) -> str | None:
    """``new_key`` if present, else the legacy field ``name``; marks what the row accounts for.

    A legacy field that agrees with the new one is marked used; one that disagrees is left
    unused so it is kept in ``extra_json``.
    """
    value = new(obj.get(new_key), new_key) if new_key in obj else None
    if new_key in obj:
        used.add(new_key)
    if name in obj:
        legacy = obj.get(name)
        if value is None:
            used.add(name)
            return old(legacy, name)
        try:
            if is_absent(legacy) or old(legacy, name) == value:
                used.add(name)
        except MoneyFormatError:
            pass
    return value


def price_field(obj: JsonObject, name: str, used: set[str], *, bounded: bool = True) -> str | None:
    """Price ``name`` from ``<name>_dollars``, else legacy integer cents ``<name>``.

    ``bounded=False`` for dollar amounts that are not contract prices (liquidity, notional).
    """
    if bounded:
        return _new_or_legacy(obj, f"{name}_dollars", name, used, dollars_text, cents_text)
    return _new_or_legacy(obj, f"{name}_dollars", name, used, amount_text, amount_cents_text)


def count_field(obj: JsonObject, name: str, used: set[str]) -> str | None:
    """Count ``name`` from ``<name>_fp``, else the legacy integer ``<name>``."""
    return _new_or_legacy(obj, f"{name}_fp", name, used, count_text, count_text)


def canonical_json(value: object) -> str:
    """Stable JSON text (sorted keys, no spaces) for json-ish columns and hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _ticker(value: object, field_name: str) -> str | None:
    """A ticker field: text or absent; anything else would fail the Arrow conversion later."""
    if value is None or isinstance(value, str):
        return value
    raise ParseError(f"{field_name}: not a string: {shown(value)}")


def _raw(obj: object) -> str:
    try:
        return canonical_json(obj)
    except (TypeError, ValueError, RecursionError):
        try:
            return repr(obj)
        except RecursionError:
            return f"<{type(obj).__name__} nested too deep to show>"


# --------------------------------------------------------------------------------------------
# Parse context and results
# --------------------------------------------------------------------------------------------


@dataclass
class ParseContext:
    """Provenance stamped on every row, and the sink for rejects."""

    data_source: str
    ingest_channel: str
    location: str
    rejects: list[Reject] = field(default_factory=list)

    def provenance(self, location: str | None = None) -> Row:
        """The provenance columns of a row."""
        return {
            "data_source": self.data_source,
            "ingest_channel": self.ingest_channel,
            "source_location": location or self.location,
        }

    def reject(
        self, source_name: str, reason: str, raw: object, location: str | None = None
    ) -> None:
        """Record a rejected input row.

        Args:
            source_name: the parser (``kalshi_markets``...).
            reason: why.
            raw: the input object or text.
            location: where it came from (default: the context's location).
        """
        self.rejects.append(
            Reject(
                source_name=source_name,
                reason=reason,
                raw_text=raw if isinstance(raw, str) else _raw(raw),
                location=location or self.location,
                data_source=self.data_source,
                ingest_channel=self.ingest_channel,
            )
        )


# What a malformed object may raise inside a parser (ParseError, MoneyFormatError, BoundsError
# and TickerError are ValueErrors; KeyError/TypeError/AttributeError come from wrong shapes;
# RecursionError from an object nested too deep to serialise into extra_json).
PARSE_ERRORS = (ValueError, ArithmeticError, KeyError, TypeError, AttributeError, RecursionError)


def guarded(
    source_name: str,
    parse: Callable[..., _Parsed],
    ctx: ParseContext,
    obj: object,
    *args: Any,
    location: str | None = None,
) -> _Parsed | None:
    """Run one parser on one object; a parse failure becomes a reject instead of an exception.

    Args:
        source_name: the reject's source name (``kalshi_markets``...).
        parse: the parser, called as ``parse(obj, *args, ctx=ctx)``.
        ctx: provenance and reject sink.
        obj: the object to parse.
        *args: the parser's further arguments.
        location: where the object came from (default: the context's location).

    Returns:
        What the parser returned, or None when it refused the object (then rejected).
    """
    try:
        return parse(obj, *args, ctx=ctx)
    except PARSE_ERRORS as exc:
        reason = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
        ctx.reject(source_name, reason or type(exc).__name__, obj, location)
        return None


# --------------------------------------------------------------------------------------------
# Series
# --------------------------------------------------------------------------------------------

_SERIES_FIELDS = {
    "ticker",
    "title",
    "category",
    "frequency",
    "tags",
    "fee_type",
    "fee_multiplier",
    "settlement_sources",
    "contract_terms_url",
    "contract_url",
}


def series_content_hash(row: Row) -> str:
    """Hash of the settlement-relevant content of a series (fees, sources, terms)."""
    content = canonical_json(
        {
            k: row.get(k)
            for k in ("fee_type", "fee_multiplier", "settlement_sources", "contract_terms_url")
        }
    )
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def parse_series(obj: JsonObject, fetched_at: datetime, *, ctx: ParseContext) -> Row:
    """A ``GET /series/{t}`` object as a ``series`` row.

    Args:
        obj: the series object.
        fetched_at: when it was fetched (UTC).
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    ticker = _ticker(obj.get("ticker"), "ticker") or _ticker(obj.get("series_ticker"), "ticker")
    if not ticker:
        raise ParseError("series without ticker")
    multiplier = obj.get("fee_multiplier")
    sources = obj.get("settlement_sources")
    tags = obj.get("tags")
    row: Row = {
        "series_ticker": str(ticker),
        "title": _text(obj.get("title")),
        "category": _text(obj.get("category")),
        "frequency": _text(obj.get("frequency")),
        "tags": canonical_json(tags) if tags is not None else None,
        "fee_type": _text(obj.get("fee_type")),
        "fee_multiplier": number_text(multiplier, "fee_multiplier"),
        "settlement_sources": canonical_json(sources) if sources is not None else None,
        "contract_terms_url": _text(obj.get("contract_terms_url")),
        "contract_url": _text(obj.get("contract_url")),
        "fetched_at": fetched_at,
        **ctx.provenance(),
    }
    row["content_hash"] = series_content_hash(row)
    extra = {k: v for k, v in obj.items() if k not in _SERIES_FIELDS and k != "series_ticker"}
    row["extra_json"] = canonical_json(extra) if extra else None
    return row


def series_snapshot(row: Row) -> Row:
    """The ``series_snapshots`` row (one per distinct content) of a ``series`` row."""
    return {
        "data_source": row["data_source"],
        "series_ticker": row["series_ticker"],
        "content_hash": row["content_hash"],
        "fee_type": row["fee_type"],
        "fee_multiplier": row["fee_multiplier"],
        "settlement_sources": row["settlement_sources"],
        "contract_terms_url": row["contract_terms_url"],
        "first_seen_at": row["fetched_at"],
        "ingest_channel": row["ingest_channel"],
        "source_location": row["source_location"],
    }


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------

_EVENT_FIELDS = {
    "event_ticker",
    "ticker",
    "series_ticker",
    "title",
    "sub_title",
    "category",
    "strike_date",
    "strike_period",
    "mutually_exclusive",
    "markets",
}


def parse_event(obj: JsonObject, *, ctx: ParseContext) -> Row:
    """A ``GET /events`` object (nested markets ignored: load them from ``/markets``).

    Args:
        obj: the event object.
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    ticker = _ticker(obj.get("event_ticker"), "event_ticker") or _ticker(
        obj.get("ticker"), "ticker"
    )
    if not ticker:
        raise ParseError("event without event_ticker")
    exclusive = obj.get("mutually_exclusive")
    if exclusive is not None and not isinstance(exclusive, bool):
        raise ParseError(f"mutually_exclusive not a boolean: {exclusive!r}")
    extra = {k: v for k, v in obj.items() if k not in _EVENT_FIELDS}
    return {
        "event_ticker": str(ticker),
        "series_ticker": _ticker(obj.get("series_ticker"), "series_ticker"),
        "title": _text(obj.get("title")),
        "sub_title": _text(obj.get("sub_title")),
        "category": _text(obj.get("category")),
        "strike_date": instant(obj.get("strike_date"), "strike_date"),
        "strike_period": _text(obj.get("strike_period")),
        "mutually_exclusive": exclusive,
        "extra_json": canonical_json(extra) if extra else None,
        **ctx.provenance(),
    }


# --------------------------------------------------------------------------------------------
# Markets
# --------------------------------------------------------------------------------------------

_MARKET_TEXT_FIELDS = (
    "event_ticker",
    "market_type",
    "title",
    "yes_sub_title",
    "no_sub_title",
    "status",
    "strike_type",
    "price_level_structure",
    "rules_primary",
    "rules_secondary",
)
_MARKET_PRICES = tuple(name.removesuffix("_dollars") for name in MONEY_COLUMNS)
_MARKET_COUNTS = tuple(name.removesuffix("_fp") for name in COUNT_COLUMNS)
MARKET_RESULTS = ("yes", "no", "scalar", "void")
_AMOUNTS = frozenset({"liquidity", "notional_value"})  # dollars, but not bounded prices


def parse_market(
    obj: JsonObject, series_ticker: str | None, tier: str, *, ctx: ParseContext
) -> Row:
    """A ``GET /markets`` object as a ``markets`` row; every field is a column or in extra_json.

    Args:
        obj: the market object.
        series_ticker: the series of the request (the market object has none).
        tier: ``live``, ``historical`` or ``files``.
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    if tier not in MARKET_TIERS:
        raise ParseError(f"unknown market tier {tier!r}")
    ticker = obj.get("ticker")
    if not ticker or not isinstance(ticker, str):
        raise ParseError("market without ticker")
    used: set[str] = {"ticker", "floor_strike", "cap_strike", "custom_strike", "result"}
    used.update(_MARKET_TEXT_FIELDS)
    used.update(MARKET_TIME_COLUMNS)
    used.update(("expiration_value", "can_close_early"))
    result = obj.get("result")
    if is_absent(result):
        result = None
    elif result not in MARKET_RESULTS:
        raise ParseError(f"unknown market result {result!r}")
    custom = obj.get("custom_strike")
    early = obj.get("can_close_early")
    row: Row = {
        "market_ticker": ticker,
        "series_ticker": series_ticker or _ticker(obj.get("series_ticker"), "series_ticker"),
        "market_tier": tier,
        "result": result,
        "floor_strike": number_text(obj.get("floor_strike"), "floor_strike"),
        "cap_strike": number_text(obj.get("cap_strike"), "cap_strike"),
        "custom_strike": canonical_json(custom) if custom is not None else None,
        "expiration_value": _text(obj.get("expiration_value")) or None,
        "can_close_early": early if isinstance(early, bool) else None,
    }
    if "series_ticker" in obj:
        used.add("series_ticker")
    for name in _MARKET_TEXT_FIELDS:
        row[name] = _text(obj.get(name))
    _ticker(obj.get("event_ticker"), "event_ticker")
    for name in MARKET_TIME_COLUMNS:
        row[name] = instant(obj.get(name), name)
    for name in _MARKET_PRICES:
        row[f"{name}_dollars"] = price_field(obj, name, used, bounded=name not in _AMOUNTS)
    for name in _MARKET_COUNTS:
        row[f"{name}_fp"] = count_field(obj, name, used)
    extra = {k: v for k, v in obj.items() if k not in used}
    row["extra_json"] = canonical_json(extra) if extra else None
    row.update(ctx.provenance())
    return row


# --------------------------------------------------------------------------------------------
# Candles
# --------------------------------------------------------------------------------------------


# (column, block, live key, historical key, label) for every OHLC field of a candle.
_CANDLE_FIELDS = tuple(
    (f"{side}_{point}_dollars", side, f"{point}_dollars", point, f"{side}.{point}")
    for side, points in (
        ("yes_bid", ("open", "high", "low", "close")),
        ("yes_ask", ("open", "high", "low", "close")),
        ("price", ("open", "high", "low", "close", "mean", "previous")),
    )
    for point in points
)


def _ohlc(block: object, live_key: str, hist_key: str, label: str) -> str | None:
    if block is None:
        return None
    if not isinstance(block, dict):
        raise ParseError(f"{label}: expected an object, got {block!r}")
    # Live keys carry _dollars; historical keys have no suffix; legacy live keys were cents.
    if live_key in block:
        return dollars_text(block[live_key], label)
    value = block.get(hist_key)
    if is_absent(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return cents_text(value, label)
    return dollars_text(value, label)


def parse_candle(
    candle: JsonObject,
    series_ticker: str,
    market_ticker: str,
    period_minutes: int,
    tier: str,
    *,
    ctx: ParseContext,
) -> Row:
    """One candlestick (live or historical key names) as a ``candlesticks`` row.

    Args:
        candle: the candle object.
        series_ticker: its series.
        market_ticker: its market.
        period_minutes: 1, 60 or 1440.
        tier: ``live`` or ``historical``.
        ctx: provenance and reject sink.

    Returns:
        The row; ``end_period_ts`` is the bar END.
    """
    end = instant(candle["end_period_ts"], "end_period_ts")
    row: Row = {
        "market_ticker": market_ticker,
        "period_minutes": int(period_minutes),
        "end_period_ts": end,
        "series_ticker": series_ticker,
        "candle_tier": tier,
        "trade_count": None,
    }
    blocks = {
        "yes_bid": candle.get("yes_bid"),
        "yes_ask": candle.get("yes_ask"),
        "price": candle.get("price"),
    }
    for column, side, live_key, hist_key, label in _CANDLE_FIELDS:
        row[column] = _ohlc(blocks[side], live_key, hist_key, label)
    if "volume_fp" in candle:
        row["volume_fp"] = count_text(candle["volume_fp"], "volume_fp")
    else:
        row["volume_fp"] = count_text(candle.get("volume"), "volume")
    if "open_interest_fp" in candle:
        row["open_interest_fp"] = count_text(candle["open_interest_fp"], "open_interest_fp")
    else:
        row["open_interest_fp"] = count_text(candle.get("open_interest"), "open_interest")
    row["data_source"] = ctx.data_source
    row["ingest_channel"] = ctx.ingest_channel
    row["source_location"] = ctx.location
    return row


# --------------------------------------------------------------------------------------------
# Trades and order books
# --------------------------------------------------------------------------------------------

TAKER_SIDES = ("yes", "no")


def parse_trade(obj: JsonObject, *, ctx: ParseContext) -> Row:
    """A ``GET /markets/trades`` object as a ``trades`` row.

    Args:
        obj: the trade object.
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    trade_id = obj.get("trade_id")
    if isinstance(trade_id, dict | list):
        raise ParseError(f"trade_id not a scalar: {shown(trade_id)}")
    if not trade_id:
        raise ParseError("trade without trade_id")
    side = obj.get("taker_side") or obj.get("taker_outcome_side")
    if side is not None and side not in TAKER_SIDES:
        raise ParseError(f"unknown taker_side {side!r}")
    used: set[str] = set()
    created = instant(obj.get("created_time"), "created_time")
    if created is None:
        raise ParseError("trade without created_time")
    return {
        "trade_id": str(trade_id),
        "market_ticker": _ticker(obj.get("ticker"), "ticker")
        or _ticker(obj.get("market_ticker"), "market_ticker"),
        "count_fp": count_field(obj, "count", used),
        "yes_price_dollars": price_field(obj, "yes_price", used),
        "no_price_dollars": price_field(obj, "no_price", used),
        "taker_side": side,
        "created_time": created,
        **ctx.provenance(),
    }


def parse_orderbook(
    body: JsonObject, market_ticker: str, snapshot_at: object, *, ctx: ParseContext
) -> list[Row]:
    """A ``GET /markets/{t}/orderbook`` body as ``orderbook_snapshots`` rows (bids only).

    Level 0 is the best (highest) bid of each side; best YES ask = 1 - best NO bid.

    Args:
        body: the response body (``orderbook_fp`` or legacy ``orderbook`` in cents).
        market_ticker: the market.
        snapshot_at: when the book was read (ISO text or datetime).
        ctx: provenance and reject sink.

    Returns:
        One row per price level.
    """
    at = instant(snapshot_at, "snapshot_at")
    if at is None:
        raise ParseError("order book without a snapshot time")
    book = parse_orderbook_body(market_ticker, body)
    rows: list[Row] = []
    for side in ("yes", "no"):
        for index, level in enumerate(book.bids(side)):
            rows.append(
                {
                    "market_ticker": market_ticker,
                    "snapshot_at": at,
                    "book_side": side,
                    "level": index,
                    "price_dollars": format_dollars(level.price),
                    "size_fp": None if level.size is None else format_count(level.size),
                    **ctx.provenance(),
                }
            )
    return rows
