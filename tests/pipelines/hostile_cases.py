"""Shared builders for the hostile-input regression tests (issue 8): documents in the real
wire formats with one field made hostile, and the parsers they go through."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from pipelines.documents import RawDocument
from pipelines.iem.parsers import Parsed
from pipelines.kalshi import files, tables
from pipelines.kalshi.fields import ParseContext, guarded
from pipelines.kalshi.parsers import (
    parse_candle,
    parse_event,
    parse_market,
    parse_series,
    parse_trade,
)
from pipelines.rejects import Reject

HUGE = "1e999999999"
HANG_BUDGET_S = 1.0
PRODUCT = "202601020600-KOKX-CDUS41-CLINYC"
ASOS_HEADER = "station,valid,tmpf,dwpf,metar\n"
METAR = "KNYC 011251Z 00000KT 10SM CLR 21/16 A3000 RMK SLP100"
LADDER_HEADER = (
    "date,ticker,event_ticker,threshold,threshold_low,threshold_high,direction,strike_type,"
    "market_prob,actual_outcome,actual_tmax,result,settlement_value,volume,bid_price,ask_price"
)
MARKET = "KXHIGHNY-25DEC05-B40.5"


def doc(text: str, location: str = "hostile.json") -> RawDocument:
    return RawDocument(text, location, "real", "files")


def timed(call: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - began
    assert elapsed < HANG_BUDGET_S, f"took {elapsed:.2f}s"
    return result


def cli_json(high: object, low: object = 30, *, raw_high: str | None = None) -> str:
    record = {
        "station": "KNYC",
        "valid": "2026-01-01",
        "product": PRODUCT,
        "high": high,
        "low": low,
    }
    text = json.dumps({"results": [record]})
    return (
        text
        if raw_high is None
        else text.replace(f'"high": {json.dumps(high)}', f'"high": {raw_high}')
    )


def asos_csv(tmpf: str = "70", dwpf: str = "60", metar: str = METAR) -> str:
    return f"{ASOS_HEADER}NYC,2026-08-01 12:51,{tmpf},{dwpf},{metar}\n"


def ladder_csv(settle: str = "100", volume: str = "5", extra: str = "") -> str:
    row = (
        f"2023-01-01,HIGHNY-23JAN01-B30.5,HIGHNY-23JAN01,30.0,30.0,32.0,between,between,0.1,1,"
        f"31.4,yes,{settle},{volume},0.99,1.0{extra}"
    )
    return f"{LADDER_HEADER}\n{row}\n"


def trade_candles_csv(count: str = "3", price: str = "50") -> str:
    return (
        "ticker,start,open,high,low,close,count\n"
        f"{MARKET},2025-12-05T12:00:00+00:00,{price},50,50,50,{count}\n"
    )


def only_reject(parsed: Parsed) -> Reject:
    assert parsed.rows == []
    (reject,) = parsed.rejects
    return reject


def ladder_rejects(text: str) -> tuple[list[dict[str, Any]], list[Reject]]:
    ctx = files.file_context("t")
    rows = list(files.parse_settled_ladder(doc(text, "ladder.csv"), ctx))
    return rows, ctx.rejects


REST_PARSERS: dict[str, tuple[Callable[..., Any], tuple[Any, ...], tables.TableSpec]] = {
    "market": (parse_market, ("KXHIGHNY", "live"), tables.MARKETS),
    "candle": (parse_candle, ("KXHIGHNY", MARKET, 60, "live"), tables.CANDLESTICKS),
    "trade": (parse_trade, (), tables.TRADES),
    "event": (parse_event, (), tables.EVENTS),
    "series": (parse_series, (datetime(2026, 1, 1, tzinfo=UTC),), tables.SERIES),
}


def rest(kind: str, obj: object) -> tuple[Any, list[Reject]]:
    """Parse one REST object through ``guarded``; a row must also convert to Arrow."""
    parse, args, spec = REST_PARSERS[kind]
    ctx = ParseContext("real", "http", "https://fake/api")
    row = guarded(f"kalshi_{kind}", parse, ctx, obj, *args)
    if row is not None:
        assert isinstance(next(iter(tables.arrow_batches([row], spec))), pa.Table)
    return row, ctx.rejects
