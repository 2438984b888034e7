"""Issue 8's hangs and crashes, one regression test each: no hang, no crash.

Every input either becomes rows or rejects with a reason and the raw text; the inputs that used
to hang (> 25 s: huge exponents reaching ``int()``, ``format(.., 'f')`` or a quantize) must now
return in under a second. Impossible values: ``test_physical_bounds``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain import bounds
from domain.metar import MetarParseError, parse_metar
from domain.money import MoneyFormatError, cents_text, count_text, dollars_text, number_text
from domain.tickers import TickerError, parse_ticker
from pipelines.documents import MAX_LINE_CHARS, MAX_RAW_CHARS
from pipelines.iem import runner as iem_runner
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import Kind, parse_observations, sniff
from pipelines.kalshi import files, top_of_book
from pipelines.kalshi.fields import ParseContext, guarded
from pipelines.kalshi.parsers import parse_orderbook
from tests.pipelines.hostile_cases import (
    HANG_BUDGET_S,
    HUGE,
    MARKET,
    METAR,
    PRODUCT,
    REST_PARSERS,
    asos_csv,
    cli_json,
    doc,
    ladder_csv,
    ladder_rejects,
    only_reject,
    rest,
    timed,
    trade_candles_csv,
)

# --------------------------------------------------------------------------------------------
# Hangs: each returns in under a second, as a reject
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        cli_json(HUGE),
        cli_json("9e999999"),
        cli_json(70, HUGE),
        cli_json(0, raw_high="1e999999999"),
    ],
    ids=["high-str", "high-str-9e999999", "low-str", "high-json-number"],
)
def test_cli_huge_exponents_are_rejected_fast(text: str) -> None:
    reject = only_reject(timed(lambda: parse_daily(doc(text))))
    assert "high" in reject.reason or "low" in reject.reason
    assert PRODUCT in reject.raw_text


def test_cf6_huge_average_is_rejected_fast() -> None:
    record = {
        "station": "KNYC",
        "valid": "2026-01-01",
        "product": PRODUCT.replace("CLI", "CF6"),
        "high": 70,
        "low": 30,
        "avg_temp": HUGE,
        "hdd": 0,
    }
    parsed = timed(lambda: parse_daily(doc(json.dumps({"results": [record]}), "cf6.json")))
    assert "avg_temp" in only_reject(parsed).reason


@pytest.mark.parametrize("column", ["tmpf", "dwpf"])
def test_asos_huge_exponent_is_rejected_fast(column: str) -> None:
    text = asos_csv(**{column: HUGE})
    reject = only_reject(timed(lambda: parse_observations(doc(text, "asos.csv"))))
    assert column in reject.reason and HUGE in reject.raw_text


@pytest.mark.parametrize(
    ("text", "field"),
    [(ladder_csv(volume=HUGE), "volume"), (ladder_csv(settle=HUGE), "settlement_value")],
)
def test_ladder_huge_exponents_are_rejected_fast(text: str, field: str) -> None:
    rows, rejects = timed(lambda: ladder_rejects(text))
    assert rows == [] and len(rejects) == 1
    assert rejects[0].reason.startswith(field) and HUGE in rejects[0].raw_text


@pytest.mark.parametrize(("count", "price"), [(HUGE, "50"), ("3", HUGE)])
def test_trade_candle_huge_exponents_are_rejected_fast(count: str, price: str) -> None:
    ctx = files.file_context("t")
    document = doc(trade_candles_csv(count, price), "trades.csv")
    rows = timed(lambda: list(files.parse_trade_candles(document, ctx)))
    assert rows == [] and len(ctx.rejects) == 1


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("market", {"ticker": MARKET, "yes_bid_dollars": HUGE}),
        ("market", {"ticker": MARKET, "floor_strike": HUGE}),
        ("market", {"ticker": MARKET, "liquidity_dollars": "1e29"}),
        ("market", {"ticker": MARKET, "volume": HUGE}),
        ("candle", {"end_period_ts": 1764936000, "volume": HUGE}),
        ("series", {"ticker": "KXHIGHNY", "fee_multiplier": HUGE}),
    ],
)
def test_rest_huge_exponents_are_rejected_fast(kind: str, obj: dict[str, Any]) -> None:
    row, rejects = timed(lambda: rest(kind, obj))
    assert row is None and len(rejects) == 1


@pytest.mark.parametrize(
    "convert", [dollars_text, cents_text, count_text, lambda v: number_text(v, "strike")]
)
def test_money_huge_exponents_are_refused_fast(convert: Callable[[str], Any]) -> None:
    began = time.perf_counter()
    with pytest.raises(MoneyFormatError, match="magnitude"):
        convert(HUGE)
    assert time.perf_counter() - began < HANG_BUDGET_S


def test_ticker_with_a_huge_strike_is_refused_fast() -> None:
    began = time.perf_counter()
    with pytest.raises(TickerError):
        parse_ticker("KXHIGHNY-25DEC05-B" + "9" * 100_000)
    assert time.perf_counter() - began < HANG_BUDGET_S


# --------------------------------------------------------------------------------------------
# Crashes that aborted a whole import: now one reject (for the row, or for the document)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['{"results": {"a":1}}', '{"results": 1e308}', '{"results":' + "[" * 200_000 + "]" * 200_000],
    ids=["results-object", "results-number", "nested-200000"],
)
def test_unreadable_daily_json_is_one_document_reject(text: str) -> None:
    assert timed(lambda: sniff(text)) is Kind.cli  # claimed, so the loader records why not
    reject = only_reject(timed(lambda: parse_daily(doc(text))))
    assert reject.location == "hostile.json"
    assert len(reject.raw_text) <= MAX_RAW_CHARS + 64


def test_cli_infinite_high_is_a_row_reject() -> None:
    text = cli_json(0, raw_high="1e400")  # json.loads reads 1e400 as float('inf')
    assert "high" in only_reject(parse_daily(doc(text))).reason


def test_cli_high_beyond_bigint_is_rejected_before_the_load() -> None:
    # 10**30 used to pass the parser and then fail the whole load in the Arrow/DuckDB cast.
    assert "high" in only_reject(parse_daily(doc(cli_json(10**30)))).reason


def test_csv_line_over_the_field_limit_is_a_line_reject() -> None:
    long_field = "A" * (MAX_LINE_CHARS * 9)  # beyond csv's own 131,072 field limit
    good = f"NYC,2026-08-01 13:51,71,60,{METAR.replace('011251Z', '011351Z')}\n"
    text = asos_csv(metar=long_field) + good
    parsed = parse_observations(doc(text, "asos.csv"))
    assert len(parsed.rows) == 1
    (reject,) = parsed.rejects
    assert "longer than" in reject.reason and reject.location == "asos.csv:2"
    assert len(reject.raw_text) <= MAX_RAW_CHARS + 64


def test_ladder_line_over_the_field_limit_is_a_line_reject() -> None:
    rows, rejects = ladder_rejects(ladder_csv(extra="," + "A" * 140_000))
    assert rows == [] and "longer than" in rejects[0].reason


def test_ladder_row_with_an_extra_field_is_a_reject() -> None:
    rows, rejects = ladder_rejects(ladder_csv(extra=",extra"))
    assert rows == []
    assert rejects[0].reason == "garbled row: 17 fields, header has 16"
    assert rejects[0].raw_text.endswith(",extra")


@pytest.mark.parametrize(
    ("kind", "obj", "reason"),
    [
        ("candle", {"end_period_ts": 10**20}, "out of range"),
        ("candle", {"end_period_ts": "99999999999999999999999"}, "out of range"),
        ("candle", {"end_period_ts": 1764936000, "yes_bid": {"close_dollars": "  "}}, "blank"),
        ("market", {"ticker": MARKET, "yes_bid_dollars": "   "}, "blank"),
        (
            "trade",
            {"trade_id": "t1", "ticker": 5, "created_time": "2025-12-05T12:00:00Z"},
            "ticker",
        ),
        ("market", {"ticker": MARKET, "series_ticker": 7}, "series_ticker"),
        ("market", {"ticker": MARKET, "liquidity_dollars": "1e29"}, "too large"),
    ],
)
def test_rest_objects_that_crashed_guarded_are_rejects(
    kind: str, obj: dict[str, Any], reason: str
) -> None:
    if kind == "market" and "series_ticker" in obj:
        parse, args, _ = REST_PARSERS["market"]
        ctx = ParseContext("real", "http", "u")
        assert guarded("kalshi_markets", parse, ctx, obj, None, "live") is None
        rejects = ctx.rejects
    else:
        row, rejects = rest(kind, obj)
        assert row is None
    assert reason in rejects[0].reason


def test_orderbook_goes_through_guarded() -> None:
    ctx = ParseContext("real", "http", "u")
    body = {"orderbook_fp": {"yes_dollars": [["0.5", HUGE]]}}
    rows = guarded("kalshi_orderbook", parse_orderbook, ctx, body, MARKET, "2026-01-01T00:00:00Z")
    assert rows is None and "magnitude" in ctx.rejects[0].reason


def test_deeply_nested_extra_field_is_a_reject() -> None:
    nested: Any = []
    for _ in range(5000):
        nested = [nested]
    row, rejects = rest("market", {"ticker": MARKET, "custom": nested})
    assert row is None and len(rejects) == 1


def test_unknown_files_are_not_claimed(tmp_path: Path) -> None:
    no_line_end = tmp_path / "huge.csv"
    no_line_end.write_text("a" * 300_000)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00ticker,start\n")
    assert files.sniff_path(no_line_end) is None and files.sniff_path(binary) is None


def test_top_of_book_with_bad_timestamps_and_file_name_still_loads() -> None:
    text = (
        "timestamp,market_ticker,best_yes_bid,best_no_bid\n"
        "not-a-time,KXHIGHNY-25DEC05-B40.5,0,0\n"
        "9999-12-31T23:59:59,KXHIGHNY-25DEC05-B40.5,0,0\n"
        "2025-12-05T10:00:00,KXHIGHNY-25DEC05-B40.5,40,55\n"
    )
    document = doc(text, "not-an-event.csv")
    zone = top_of_book.zone_of_books([document])
    ctx = files.file_context("t")
    rows = list(top_of_book.parse_top_of_book(document, ctx, zone))
    assert len(rows) == 2 and len(ctx.rejects) == 2


def test_metar_hostile_texts_are_read_or_refused_fast() -> None:
    for text in ["", "=" * 10_000, "K" * 100_000, "KNYC 321299Z 21/16", "KNYC 011251Z M99/M99"]:
        began = time.perf_counter()
        with pytest.raises(MetarParseError) as info:
            parse_metar(text)
        assert time.perf_counter() - began < HANG_BUDGET_S
        assert len(str(info.value)) < 400
    began = time.perf_counter()
    assert parse_metar("KNYC 011251Z " + "T0 " * 100_000).temp_c_tenths is None
    assert time.perf_counter() - began < HANG_BUDGET_S


def test_a_huge_integer_is_refused_without_printing_it() -> None:
    # repr() of an int over 4,300 digits raises ValueError; the refusal must not.
    with pytest.raises(MoneyFormatError, match="bit integer"):
        count_text(10**5000)


def test_hostile_files_next_to_a_good_one_load_the_good_rows(
    tmp_path: Path, warehouse: Path
) -> None:
    # Issue 8: one hostile file stalled (huge exponent) or aborted (KeyError in sniff, deep
    # nesting) the whole `run --source files`; now each is a reject and the good file loads.
    good = tmp_path / "cli_good.json"
    good.write_text(cli_json(41, 30))
    hostile = {
        "cli_huge.json": cli_json(HUGE),
        "cli_object.json": '{"results": {"a":1}}',
        "cli_deep.json": '{"results":' + "[" * 200_000 + "]" * 200_000 + "}",
        "asos_long.csv": asos_csv(metar="A" * 140_000),
    }
    for name, text in hostile.items():
        (tmp_path / name).write_text(text)
    paths = sorted(tmp_path.glob("*.*"))
    assert all(iem_runner.claims(path) for path in paths)
    began = time.perf_counter()
    summary = iem_runner.run_files(paths)
    assert time.perf_counter() - began < 60  # a dlt load, not a hang (was > 120 s)
    assert summary.table_rows["cli_reports"] == 1
    assert summary.rejects_added == len(hostile)


def test_json_depth_is_bounded_in_one_scan_and_strings_do_not_count() -> None:
    bounds.check_json_depth("[" * 32 + "]" * 32)
    bounds.check_json_depth('{"a": "' + "[{" * 1000 + '\\"[["}')  # brackets inside a string
    with pytest.raises(bounds.BoundsError, match="deeper than 32"):
        bounds.check_json_depth("[" * 33 + "]" * 33)
    began = time.perf_counter()
    with pytest.raises(bounds.BoundsError):
        bounds.check_json_depth("[" * 10_000_000)
    assert time.perf_counter() - began < HANG_BUDGET_S
