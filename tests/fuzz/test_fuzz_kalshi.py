"""Fuzz every Kalshi entry point: REST objects (through ``guarded``), every files format and
its sniffing, money and tickers. See :mod:`tests.fuzz.hostile` for the invariants."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from domain import money
from domain.tickers import TickerError, parse_ticker
from pipelines.documents import RawDocument
from pipelines.kalshi import files, tables, top_of_book
from pipelines.kalshi.fields import ParseContext, guarded
from pipelines.kalshi.parsers import (
    parse_candle,
    parse_event,
    parse_market,
    parse_orderbook,
    parse_series,
    parse_trade,
)
from pipelines.kalshi.tables import Row
from tests.fuzz.hostile import (
    assert_kalshi_row_in_bounds,
    field_texts,
    fuzz_settings,
    json_values,
    mutated_csv,
    mutated_record,
    number_texts,
    timed,
)

MARKET = "KXHIGHNY-25DEC05-B40.5"
_EXAMPLES = 200

# --------------------------------------------------------------------------------------------
# REST objects
# --------------------------------------------------------------------------------------------

_MARKET_TEMPLATE = {
    "ticker": MARKET,
    "event_ticker": "KXHIGHNY-25DEC05",
    "status": "active",
    "strike_type": "between",
    "floor_strike": 40,
    "cap_strike": 41,
    "yes_bid_dollars": "0.2700",
    "yes_ask_dollars": "0.3000",
    "last_price": 28,
    "volume_fp": "10.00",
    "open_interest": 5,
    "liquidity_dollars": "120.5000",
    "close_time": "2025-12-06T04:59:00Z",
    "open_time": 1764900000,
    "result": "",
}
_CANDLE_TEMPLATE = {
    "end_period_ts": 1764936000,
    "yes_bid": {"open_dollars": "0.25", "close_dollars": "0.27"},
    "yes_ask": {"open": 30, "close": "0.31"},
    "price": {"open": None, "close_dollars": "0.28"},
    "volume_fp": "3.00",
    "open_interest": 8,
}
_TRADE_TEMPLATE = {
    "trade_id": "t-1",
    "ticker": MARKET,
    "count_fp": "2.00",
    "yes_price_dollars": "0.4000",
    "no_price": 60,
    "taker_side": "yes",
    "created_time": "2025-12-05T12:00:00Z",
}
_EVENT_TEMPLATE = {
    "event_ticker": "KXHIGHNY-25DEC05",
    "series_ticker": "KXHIGHNY",
    "title": "High in NYC",
    "strike_date": "2025-12-06T05:00:00Z",
    "mutually_exclusive": True,
}
_SERIES_TEMPLATE = {
    "ticker": "KXHIGHNY",
    "title": "NYC high",
    "fee_type": "quadratic",
    "fee_multiplier": 1,
    "settlement_sources": [{"name": "NWS"}],
    "tags": ["weather"],
}
_BOOK_TEMPLATE = {
    "orderbook_fp": {"yes_dollars": [["0.2400", "120.00"]], "no_dollars": [["0.7000", "3.00"]]}
}

_FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
_REST: dict[str, tuple[Callable[..., Any], tuple[Any, ...], tables.TableSpec]] = {
    "series": (parse_series, (_FETCHED,), tables.SERIES),
    "event": (parse_event, (), tables.EVENTS),
    "market": (parse_market, ("KXHIGHNY", "live"), tables.MARKETS),
    "candle": (parse_candle, ("KXHIGHNY", MARKET, 60, "live"), tables.CANDLESTICKS),
    "trade": (parse_trade, (), tables.TRADES),
    "orderbook": (parse_orderbook, (MARKET, "2026-01-01T00:00:00Z"), tables.ORDERBOOK_SNAPSHOTS),
}


def _check_rest(kind: str, obj: Any) -> None:
    """One object -> a row (in bounds, Arrow-convertible) or exactly one reject; nothing else."""
    parse, args, spec = _REST[kind]
    ctx = ParseContext("real", "http", "https://fake/api")
    result = timed(lambda: guarded(f"kalshi_{kind}", parse, ctx, obj, *args), len(repr(obj)))
    if result is None:
        assert len(ctx.rejects) == 1 and ctx.rejects[0].reason
        return
    assert ctx.rejects == []
    rows: list[Row] = result if isinstance(result, list) else [result]
    for row in rows:
        assert_kalshi_row_in_bounds(row)
    list(tables.arrow_batches(rows, spec))


_rest_values = st.one_of(json_values, number_texts)


@fuzz_settings(_EXAMPLES)
@given(mutated_record(_SERIES_TEMPLATE, _rest_values))
@example({"ticker": "KXHIGHNY", "fee_multiplier": "1e999999999"})
@example({"ticker": 5})
def test_fuzz_series(obj: dict[str, Any]) -> None:
    _check_rest("series", obj)


@fuzz_settings(_EXAMPLES)
@given(mutated_record(_EVENT_TEMPLATE, _rest_values))
@example({"event_ticker": ["x"]})
@example({"event_ticker": "E", "strike_date": 10**20})
def test_fuzz_event(obj: dict[str, Any]) -> None:
    _check_rest("event", obj)


@fuzz_settings(_EXAMPLES * 2)
@given(mutated_record(_MARKET_TEMPLATE, _rest_values))
@example({"ticker": MARKET, "yes_bid_dollars": "   "})
@example({"ticker": MARKET, "series_ticker": 7})
@example({"ticker": MARKET, "close_time": "99999999999999999999999"})
@example({"ticker": MARKET, "liquidity_dollars": "1e29"})
def test_fuzz_market(obj: dict[str, Any]) -> None:
    _check_rest("market", obj)


@fuzz_settings(_EXAMPLES)
@given(
    st.one_of(
        mutated_record(_CANDLE_TEMPLATE, _rest_values),
        mutated_record(
            {"end_period_ts": 1764936000, "yes_bid": {"close": 5}},
            st.dictionaries(st.sampled_from(["close", "close_dollars", "open"]), _rest_values),
        ),
    )
)
@example({"end_period_ts": 10**20})
@example({"end_period_ts": 1764936000, "yes_bid": {"close_dollars": "  "}})
def test_fuzz_candle(obj: dict[str, Any]) -> None:
    _check_rest("candle", obj)


@fuzz_settings(_EXAMPLES)
@given(mutated_record(_TRADE_TEMPLATE, _rest_values))
@example({"trade_id": "t1", "ticker": 5, "created_time": "2025-12-05T12:00:00Z"})
@example({"trade_id": {}, "created_time": "2025-12-05T12:00:00Z"})
def test_fuzz_trade(obj: dict[str, Any]) -> None:
    _check_rest("trade", obj)


@fuzz_settings(_EXAMPLES)
@given(
    st.one_of(
        mutated_record(_BOOK_TEMPLATE, _rest_values),
        st.builds(
            lambda levels: {"orderbook_fp": {"yes_dollars": levels}},
            st.lists(st.lists(_rest_values, max_size=3), max_size=3),
        ),
    )
)
@example({"orderbook_fp": {"yes_dollars": [["0.5", "1e999999999"]]}})
@example({"orderbook": {"no": [[150, 1]]}})
def test_fuzz_orderbook(obj: dict[str, Any]) -> None:
    _check_rest("orderbook", obj)


# --------------------------------------------------------------------------------------------
# Files formats
# --------------------------------------------------------------------------------------------

_LADDER_HEADER = (
    "date,ticker,event_ticker,threshold,threshold_low,threshold_high,direction,strike_type,"
    "market_prob,actual_outcome,actual_tmax,result,settlement_value,volume,bid_price,ask_price"
)
_LADDER_LINES = [
    "2023-01-01,HIGHNY-23JAN01-T50,HIGHNY-23JAN01,50.0,,50.0,below,less,0.0,0,55.04,no,0,0,0.0,0.01",
    "2023-01-01,HIGHNY-23JAN01-B50.5,HIGHNY-23JAN01,50.0,50.0,52.0,between,between,0.03,0,55.04,"
    "no,0,372,0.0,0.01",
]
_PRESETTLEMENT_HEADER = (
    "date,ticker,bucket,threshold_low,threshold_high,direction,strike_type,presettlement_prob,"
    "bid_cents,ask_cents,volume,open_interest,snapshot_time_utc"
)
_PRESETTLEMENT_LINES = [
    "2023-01-01,HIGHNY-23JAN01-B50.5,50-51F,50.0,51.0,between,between,0.245,0.0,49.0,0.0,372.0,"
    "2023-01-01 04:00:00 UTC",
]
_HOURLY_HEADER = (
    "series,city,station,target_date,event_ticker,market_ticker,ts_utc,minutes_to_close,"
    "close_time_utc,strike_type,floor_strike,cap_strike,yes_sub_title,yes_bid,yes_ask,no_bid,"
    "no_ask,last,price_mean,yes_bid_low,yes_ask_high,volume,open_interest,has_quote,result,"
    "expiration_value,cli_high"
)
_HOURLY_LINES = [
    "KXHIGHCHI,CHI,KMDW,2026-06-01,KXHIGHCHI-26JUN01,KXHIGHCHI-26JUN01-B72.5,2026-05-31T15:00:00Z,"
    "2339.0,2026-06-02T05:59:00Z,between,72.0,73.0,72 to 73,0.25,0.3,0.7,0.75,0.3,0.3374,0.01,1.0,"
    "86.22,85.22,true,no,71.0,71.0",
]
_TRADES_HEADER = "market_id,ticker,start,open,high,low,close,count"
_TRADES_LINES = [
    "KXHIGHNY-25AUG12-T93,KXHIGHNY-25AUG12-T93,2025-08-11T18:25:00+00:00,1.0,1.0,1.0,1.0,1",
]
_BOOK_HEADER = "timestamp,market_ticker,best_yes_bid,best_no_bid,implied_no_ask,implied_yes_ask"
_BOOK_LINES = [
    "2025-12-04T12:27:16.079996,KXHIGHNY-25DEC05-T37,1,96,99,4",
    "2025-12-06T04:01:00,KXHIGHNY-25DEC05-B32.5,0,0,100,100",
]

_FILE_PARSERS: dict[str, Callable[[RawDocument, ParseContext], Iterator[Row]]] = {
    "settled_ladder": files.parse_settled_ladder,
    "presettlement_candles": files.parse_presettlement_candles,
    "hourly_candles": files.parse_hourly_candles,
    "trade_candles_5m": files.parse_trade_candles,
    "top_of_book": lambda doc, ctx: top_of_book.parse_top_of_book(
        doc, ctx, top_of_book.zone_of_books([doc])
    ),
}
_LINE = re.compile(r":(\d+)$")


def _data_lines(text: str) -> set[int]:
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return set(numbers[1:])  # the first non-blank line is the header


def _check_file(kind: str, text: str) -> None:
    """Every data line -> rows (in bounds) or one reject, at its line; nothing escapes."""
    doc = RawDocument(text, "KXHIGHNY-25DEC05.csv", "real", "files")
    ctx = files.file_context("fuzz")
    rows = timed(lambda: list(_FILE_PARSERS[kind](doc, ctx)), len(text))
    row_lines = {int(_LINE.search(row["source_location"])[1]) for row in rows}  # type: ignore[index]
    reject_lines = [int(_LINE.search(r.location)[1]) for r in ctx.rejects]  # type: ignore[index]
    assert len(reject_lines) == len(set(reject_lines)), "one reject per line"
    assert not row_lines & set(reject_lines), "a line is rows or a reject, not both"
    assert row_lines | set(reject_lines) == _data_lines(text)
    for row in rows:
        assert_kalshi_row_in_bounds(row)
    spec = {"settled_ladder": tables.MARKETS, "top_of_book": tables.ORDERBOOK_SNAPSHOTS}
    list(tables.arrow_batches(rows, spec.get(kind, tables.CANDLESTICKS)))
    assert files.sniff_text(text) in (kind, None)


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_LADDER_HEADER, _LADDER_LINES))
@example(f"{_LADDER_HEADER}\n{_LADDER_LINES[0]},extra\n")
@example(f"{_LADDER_HEADER}\n{_LADDER_LINES[0].replace(',0,0,0.0', ',0,1e999999999,0.0')}\n")
@example(f"{_LADDER_HEADER}\n{_LADDER_LINES[0]}," + "A" * 140_000 + "\n")
def test_fuzz_settled_ladder(text: str) -> None:
    _check_file("settled_ladder", text)


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_PRESETTLEMENT_HEADER, _PRESETTLEMENT_LINES))
def test_fuzz_presettlement_candles(text: str) -> None:
    _check_file("presettlement_candles", text)


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_HOURLY_HEADER, _HOURLY_LINES))
def test_fuzz_hourly_candles(text: str) -> None:
    _check_file("hourly_candles", text)
    # The markets view of the same file: one row per parsed ticker, the rest rejected.
    doc = RawDocument(text, "h.csv", "real", "files")
    ctx = files.file_context("fuzz")
    markets = timed(lambda: list(files.parse_hourly_candle_markets(doc, ctx)), len(text))
    assert len(markets) + len(ctx.rejects) <= len(_data_lines(text))
    for row in markets:
        assert_kalshi_row_in_bounds(row)
    list(tables.arrow_batches(markets, tables.MARKETS))


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_TRADES_HEADER, _TRADES_LINES))
@example(f"{_TRADES_HEADER}\n{_TRADES_LINES[0][:-1]}1e999999999\n")
@example(f"{_TRADES_HEADER}\n{_TRADES_LINES[0][:-1]}1e20\n")
def test_fuzz_trade_candles(text: str) -> None:
    _check_file("trade_candles_5m", text)


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_BOOK_HEADER, _BOOK_LINES))
@example(f"{_BOOK_HEADER}\n9999-12-31T23:59:59,KXHIGHNY-25DEC05-T37,0,0,1,1\n")
def test_fuzz_top_of_book(text: str) -> None:
    _check_file("top_of_book", text)


@fuzz_settings(_EXAMPLES)
@given(st.one_of(field_texts, st.text(max_size=200), st.binary(max_size=200).map(repr)))
def test_fuzz_sniff(text: str) -> None:
    kind = timed(lambda: files.sniff_text(text), len(text))
    assert kind is None or kind in files.KINDS


# --------------------------------------------------------------------------------------------
# Money and tickers
# --------------------------------------------------------------------------------------------

_MONEY: tuple[Callable[[object], object], ...] = (
    money.dollars_text,
    money.cents_text,
    money.count_text,
    lambda value: money.number_text(value, "strike"),
    lambda value: money.amount_text(value, "amount"),
    lambda value: money.amount_cents_text(value, "amount"),
)


@fuzz_settings(_EXAMPLES * 2)
@given(st.one_of(number_texts, json_values))
@example("1e999999999")
@example("   ")
def test_fuzz_money(value: object) -> None:
    for convert in _MONEY:
        try:
            timed(lambda convert=convert: convert(value), len(repr(value)))
        except money.MoneyFormatError as exc:
            assert str(exc)


_tickers = st.one_of(
    st.from_regex(r"\A[A-Z]{1,12}-[0-9]{2}[A-Z]{3}[0-9]{2}(-[BT]-?[0-9]{1,60}(\.[0-9]{0,40})?)?\Z"),
    st.text(max_size=60),
    st.sampled_from(["KXHIGHNY-25DEC05-B" + "9" * 100_000, "KXHIGHNY-25FEB30-B40.5", "\u0663"]),
)


@fuzz_settings(_EXAMPLES * 2)
@given(st.one_of(_tickers, json_values))
def test_fuzz_tickers(ticker: Any) -> None:
    size = len(ticker) if isinstance(ticker, str) else 100
    try:
        parsed = timed(lambda: parse_ticker(ticker), size)
    except TickerError as exc:
        assert str(exc)
        return
    assert parsed.event_ticker.startswith(parsed.series_ticker)
    if parsed.strike is not None:
        money.number_text(str(parsed.strike), "strike")  # a parsed strike is a bounded number
