"""Kalshi parsers: exact money, live vs historical candle keys, legacy cents, lossless markets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.brackets import BracketError, bracket_from_strikes
from pipelines.kalshi.fields import ParseContext, ParseError, canonical_json, guarded, instant
from pipelines.kalshi.parsers import (
    parse_candle,
    parse_market,
    parse_orderbook,
    parse_series,
    parse_trade,
    series_snapshot,
)


@pytest.fixture
def ctx() -> ParseContext:
    return ParseContext(data_source="simulated", ingest_channel="sample", location="test")


def test_live_and_historical_candles_normalise_identically(ctx: ParseContext) -> None:
    live = {
        "end_period_ts": 1769180400,
        "yes_bid": {
            "open_dollars": "0.2",
            "high_dollars": "0.26",
            "low_dollars": "0.19",
            "close_dollars": "0.25",
        },
        "yes_ask": {
            "open_dollars": "0.22",
            "high_dollars": "0.28",
            "low_dollars": "0.21",
            "close_dollars": "0.27",
        },
        "price": {"open_dollars": None, "mean_dollars": "0.2350", "previous_dollars": "0.26"},
        "volume_fp": "3",
        "open_interest_fp": "40.5",
    }
    historical = {
        "end_period_ts": 1769180400,
        "yes_bid": {"open": "0.2000", "high": "0.2600", "low": "0.1900", "close": "0.2500"},
        "yes_ask": {"open": "0.2200", "high": "0.2800", "low": "0.2100", "close": "0.2700"},
        "price": {"open": None, "mean": "0.2350", "previous": "0.2600"},
        "volume": "3.00",
        "open_interest": "40.50",
    }
    a = parse_candle(live, "KXHIGHNY", "M", 60, "live", ctx=ctx)
    b = parse_candle(historical, "KXHIGHNY", "M", 60, "historical", ctx=ctx)
    a.pop("candle_tier"), b.pop("candle_tier")
    assert a == b
    assert a["yes_bid_close_dollars"] == "0.2500" and a["open_interest_fp"] == "40.50"
    assert a["end_period_ts"] == datetime(2026, 1, 23, 15, 0, tzinfo=UTC)
    assert a["price_open_dollars"] is None


def test_legacy_integer_cents_become_dollars(ctx: ParseContext) -> None:
    legacy = {
        "ticker": "KXHIGHNY-25JAN05-B40.5",
        "yes_bid": 27,
        "yes_ask": 30,
        "last_price": 28,
        "volume": 12,
    }
    row = parse_market(legacy, "KXHIGHNY", "historical", ctx=ctx)
    assert (row["yes_bid_dollars"], row["yes_ask_dollars"], row["last_price_dollars"]) == (
        "0.2700",
        "0.3000",
        "0.2800",
    )
    assert row["volume_fp"] == "12.00"
    assert row["extra_json"] is None  # every legacy field was consumed
    candle = parse_candle(
        {"end_period_ts": 1, "yes_bid": {"close": 27}, "volume": 5},
        "S",
        "M",
        1,
        "historical",
        ctx=ctx,
    )
    assert candle["yes_bid_close_dollars"] == "0.2700" and candle["volume_fp"] == "5.00"


def test_disagreeing_legacy_field_is_kept_not_lost(ctx: ParseContext) -> None:
    row = parse_market(
        {"ticker": "X-25JAN05-B40.5", "yes_bid_dollars": "0.2700", "yes_bid": 99},
        "X",
        "live",
        ctx=ctx,
    )
    assert row["yes_bid_dollars"] == "0.2700"
    assert json.loads(row["extra_json"]) == {"yes_bid": 99}


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({"ticker": "M", "yes_bid_dollars": 0.27}, "float"),
        ({"ticker": "M", "yes_ask_dollars": "1.0100"}, "outside [0, 1]"),
        ({"ticker": "M", "volume_fp": "ten"}, "not a number"),
        ({"ticker": "M", "close_time": "yesterday"}, "ISO-8601"),
        ({"ticker": "M", "result": "maybe"}, "unknown market result"),
        ({"yes_bid_dollars": "0.1000"}, "without ticker"),
    ],
)
def test_bad_market_rows_become_rejects(
    ctx: ParseContext, obj: dict[str, Any], reason: str
) -> None:
    assert guarded("kalshi_markets", parse_market, ctx, obj, "S", "live") is None
    assert len(ctx.rejects) == 1
    assert reason in ctx.rejects[0].reason
    assert ctx.rejects[0].raw_text == canonical_json(obj)
    assert ctx.rejects[0].data_source == "simulated"


def test_trade_and_orderbook(ctx: ParseContext) -> None:
    trade = parse_trade(
        {
            "trade_id": "abc",
            "ticker": "M",
            "count_fp": "10.00",
            "yes_price_dollars": "0.4200",
            "no_price_dollars": "0.5800",
            "taker_side": "no",
            "created_time": "2026-01-23T15:00:00.123Z",
        },
        ctx=ctx,
    )
    assert trade["count_fp"] == "10.00" and trade["taker_side"] == "no"
    with pytest.raises(ParseError, match="taker_side"):
        parse_trade(
            {"trade_id": "x", "taker_side": "maybe", "created_time": "2026-01-01T00:00:00Z"},
            ctx=ctx,
        )
    rows = parse_orderbook(
        {
            "orderbook_fp": {
                "yes_dollars": [["0.2400", "120.00"], ["0.2500", "1.00"]],
                "no_dollars": None,
            }
        },
        "M",
        "2026-01-23T15:00:00Z",
        ctx=ctx,
    )
    assert [(r["book_side"], r["level"], r["price_dollars"]) for r in rows] == [
        ("yes", 0, "0.2500"),
        ("yes", 1, "0.2400"),
    ]
    legacy = parse_orderbook(
        {"orderbook": {"no": [[73, 40]]}}, "M", "2026-01-23T15:00:00Z", ctx=ctx
    )
    assert legacy[0]["price_dollars"] == "0.7300" and legacy[0]["size_fp"] == "40.00"


def test_series_content_hash_tracks_fee_changes(ctx: ParseContext) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    base = {
        "ticker": "KXHIGHNY",
        "fee_type": "quadratic",
        "fee_multiplier": 1,
        "settlement_sources": [],
    }
    a = parse_series(base, at, ctx=ctx)
    b = parse_series({**base, "title": "renamed"}, at, ctx=ctx)
    c = parse_series({**base, "fee_type": "quadratic_with_maker_fees"}, at, ctx=ctx)
    assert a["content_hash"] == b["content_hash"] != c["content_hash"]
    assert series_snapshot(c)["first_seen_at"] == at and a["fee_multiplier"] == "1"


def _same(field: str, given: Any, row: dict[str, Any]) -> bool:
    """Is input field ``field`` (value ``given``) preserved in ``row``?"""
    if field == "ticker":
        return row["market_ticker"] == given
    if field in row and (field.endswith("_dollars") or field.endswith("_fp")):
        return (given in (None, "") and row[field] is None) or Decimal(given) == Decimal(row[field])
    if f"{field}_dollars" in row:
        return Decimal(given) / 100 == Decimal(row[f"{field}_dollars"])
    if f"{field}_fp" in row:
        return Decimal(given) == Decimal(row[f"{field}_fp"])
    if field.endswith("_time") or field == "settlement_ts":
        return instant(given, field) == row[field]
    if field == "custom_strike":
        return json.loads(row[field]) == given
    if field in ("floor_strike", "cap_strike"):
        return (given is None and row[field] is None) or Decimal(str(given)) == Decimal(row[field])
    if given == "" and row.get(field) is None:
        return True
    return row.get(field) == given


def test_api_markets_page_parses_without_loss(realdata: Path, ctx: ParseContext) -> None:
    page = json.loads((realdata / "api_samples" / "kalshi_get_markets_page.json").read_text())
    markets = page["markets"]
    assert len(markets) == 200
    for obj in markets:
        row = parse_market(obj, obj["event_ticker"].split("-")[0], "live", ctx=ctx)
        extra = json.loads(row["extra_json"]) if row["extra_json"] else {}
        for field, given in obj.items():
            if field in extra:
                assert extra[field] == given, (obj["ticker"], field)
            else:
                assert _same(field, given, row), (obj["ticker"], field, given)
        # 'custom' strikes are not temperature brackets: derivation refuses with a reason
        with pytest.raises(BracketError, match="unsupported strike_type 'custom'"):
            bracket_from_strikes(row["strike_type"], row["floor_strike"], row["cap_strike"])
    assert ctx.rejects == []
