"""Normalise Kalshi API objects into raw-table rows (one code path for http, files and sample).

Fields are read by :mod:`pipelines.kalshi.fields` (exact money, legacy cent fields accepted).
Live candles (``yes_bid.open_dollars``) and historical candles (``yes_bid.open``) land in the
same columns. A row that cannot be parsed becomes a :class:`~pipelines.rejects.Reject` with the
reason; nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from adapters.kalshi.orderbook import parse_orderbook_body
from domain.bounds import shown
from domain.money import (
    count_text,
    format_count,
    format_dollars,
    is_absent,
    number_text,
)
from pipelines.kalshi.fields import (
    JsonObject,
    ParseContext,
    ParseError,
    canonical_json,
    count_field,
    instant,
    ohlc_field,
    price_field,
    text_or_none,
    ticker_field,
)
from pipelines.kalshi.tables import COUNT_COLUMNS, MARKET_TIME_COLUMNS, MONEY_COLUMNS, Row

MARKET_TIERS = ("live", "historical", "files")


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
    ticker = ticker_field(obj.get("ticker"), "ticker") or ticker_field(
        obj.get("series_ticker"), "ticker"
    )
    if not ticker:
        raise ParseError("series without ticker")
    multiplier = obj.get("fee_multiplier")
    sources = obj.get("settlement_sources")
    tags = obj.get("tags")
    row: Row = {
        "series_ticker": str(ticker),
        "title": text_or_none(obj.get("title")),
        "category": text_or_none(obj.get("category")),
        "frequency": text_or_none(obj.get("frequency")),
        "tags": canonical_json(tags) if tags is not None else None,
        "fee_type": text_or_none(obj.get("fee_type")),
        "fee_multiplier": number_text(multiplier, "fee_multiplier"),
        "settlement_sources": canonical_json(sources) if sources is not None else None,
        "contract_terms_url": text_or_none(obj.get("contract_terms_url")),
        "contract_url": text_or_none(obj.get("contract_url")),
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
    ticker = ticker_field(obj.get("event_ticker"), "event_ticker") or ticker_field(
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
        "series_ticker": ticker_field(obj.get("series_ticker"), "series_ticker"),
        "title": text_or_none(obj.get("title")),
        "sub_title": text_or_none(obj.get("sub_title")),
        "category": text_or_none(obj.get("category")),
        "strike_date": instant(obj.get("strike_date"), "strike_date"),
        "strike_period": text_or_none(obj.get("strike_period")),
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
        "series_ticker": series_ticker or ticker_field(obj.get("series_ticker"), "series_ticker"),
        "market_tier": tier,
        "result": result,
        "floor_strike": number_text(obj.get("floor_strike"), "floor_strike"),
        "cap_strike": number_text(obj.get("cap_strike"), "cap_strike"),
        "custom_strike": canonical_json(custom) if custom is not None else None,
        "expiration_value": text_or_none(obj.get("expiration_value")) or None,
        "can_close_early": early if isinstance(early, bool) else None,
    }
    if "series_ticker" in obj:
        used.add("series_ticker")
    for name in _MARKET_TEXT_FIELDS:
        row[name] = text_or_none(obj.get(name))
    ticker_field(obj.get("event_ticker"), "event_ticker")
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
        row[column] = ohlc_field(blocks[side], live_key, hist_key, label)
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
        "market_ticker": ticker_field(obj.get("ticker"), "ticker")
        or ticker_field(obj.get("market_ticker"), "market_ticker"),
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
