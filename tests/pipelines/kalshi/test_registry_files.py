"""Files of series beyond the seven, series the registry lacks, and top-of-book log names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.documents import RawDocument
from pipelines.kalshi import files, top_of_book
from pipelines.kalshi.fields import ParseContext

LADDER_HEADER = (
    "date,ticker,event_ticker,threshold,threshold_low,threshold_high,direction,strike_type,"
    "market_prob,actual_outcome,actual_tmax,result,settlement_value,volume,bid_price,ask_price"
)
CANDLE_HEADER = (
    "date,ticker,bucket,threshold_low,threshold_high,direction,strike_type,presettlement_prob,"
    "bid_cents,ask_cents,volume,open_interest,snapshot_time_utc"
)
BOOK_HEADER = "timestamp,market_ticker,best_yes_bid,best_no_bid,implied_no_ask,implied_yes_ask"
REGISTRY_REASON = "is not in the station registry"


def _doc(text: str, name: str) -> RawDocument:
    return RawDocument(text=text, location=name, data_source="real", ingest_channel="files")


def _ctx() -> ParseContext:
    return files.file_context(location="test")


def test_a_registry_series_beyond_the_seven_loads_and_an_unknown_one_is_a_reject() -> None:
    ladder = "\n".join(
        [
            LADDER_HEADER,
            "2025-12-05,KXHIGHTATL-25DEC05-B51.5,KXHIGHTATL-25DEC05,51,51,52,between,between,"
            "0.3,1,52,yes,100,40,0.99,1.0",
            "2025-12-05,KXHIGHTXYZ-25DEC05-B51.5,KXHIGHTXYZ-25DEC05,51,51,52,between,between,"
            "0.3,1,52,yes,100,40,0.99,1.0",
        ]
    )
    ctx = _ctx()
    rows = list(files.parse_settled_ladder(_doc(ladder, "ladder.csv"), ctx))
    assert [(r["market_ticker"], r["series_ticker"]) for r in rows] == [
        ("KXHIGHTATL-25DEC05-B51.5", "KXHIGHTATL")
    ]
    assert [(r.source_name, r.location) for r in ctx.rejects] == [
        ("kalshi_files_settled_ladder", "ladder.csv:3")
    ]
    assert "'KXHIGHTXYZ' " + REGISTRY_REASON in ctx.rejects[0].reason
    assert ctx.rejects[0].raw_text.startswith("2025-12-05,KXHIGHTXYZ-25DEC05-B51.5,")


def test_candles_of_an_unknown_series_are_rejects_not_orphans() -> None:
    candles = "\n".join(
        [
            CANDLE_HEADER,
            "2025-12-05,KXHIGHTATL-25DEC05-B51.5,51-52F,51,52,between,between,0.3,28,31,10,50,"
            "2025-12-05 23:00:00 UTC",
            "2025-12-05,KXLOWTXYZ-25DEC05-B31.5,31-32F,31,32,between,between,0.3,28,31,10,50,"
            "2025-12-05 23:00:00 UTC",
        ]
    )
    ctx = _ctx()
    rows = list(files.parse_presettlement_candles(_doc(candles, "candles.csv"), ctx))
    assert [r["series_ticker"] for r in rows] == ["KXHIGHTATL"]
    assert len(ctx.rejects) == 1 and REGISTRY_REASON in ctx.rejects[0].reason


def _real_book_head(realdata: Path, target: Path, lines: int = 400) -> Path:
    source = realdata / "kalshi" / "kxhighny_top_of_book" / "KXHIGHNY-25DEC05.csv"
    with source.open(encoding="utf-8") as handle:
        head = [next(handle) for _ in range(lines)]
    target.write_text("".join(head), encoding="utf-8")
    return target


@pytest.mark.realdata
def test_the_recorders_market_data_name_loads_like_the_event_name(
    realdata: Path, tmp_path: Path
) -> None:
    named = _real_book_head(realdata, tmp_path / "KXHIGHNY-25DEC05.csv")
    recorded = tmp_path / "market_data_KXHIGHNY-25DEC05.csv"
    shutil.copy(named, recorded)
    outcomes = []
    for path in (named, recorded):
        doc = files.read_document(path)
        assert top_of_book.event_of_top_of_book(doc) == "KXHIGHNY-25DEC05"
        ctx = _ctx()
        rows = list(top_of_book.parse_top_of_book(doc, ctx, top_of_book.DEFAULT_TOP_OF_BOOK_ZONE))
        assert ctx.rejects == []
        outcomes.append([(r["market_ticker"], r["snapshot_at"], r["price_dollars"]) for r in rows])
    assert len(outcomes[0]) == 2 * 399
    assert outcomes[0] == outcomes[1]


@pytest.mark.realdata
def test_a_name_without_an_event_takes_it_from_the_rows(realdata: Path, tmp_path: Path) -> None:
    doc = files.read_document(_real_book_head(realdata, tmp_path / "book log (copy).csv"))
    assert top_of_book.event_of_top_of_book(doc) == "KXHIGHNY-25DEC05"
    ctx = _ctx()
    rows = list(top_of_book.parse_top_of_book(doc, ctx, top_of_book.DEFAULT_TOP_OF_BOOK_ZONE))
    assert len(rows) == 2 * 399 and ctx.rejects == []


def test_a_log_naming_no_event_is_one_reject_not_a_crash() -> None:
    text = "\n".join([BOOK_HEADER, "2025-12-04T12:27:16,not-a-ticker,1,96,99,4"])
    doc = _doc(text, "/logs/market_data_latest.csv")
    assert top_of_book.event_of_top_of_book(doc) is None
    # it has no vote on the zone either
    assert top_of_book.zone_of_books([doc]) == top_of_book.DEFAULT_TOP_OF_BOOK_ZONE
    ctx = _ctx()
    assert list(top_of_book.parse_top_of_book(doc, ctx, "UTC")) == []
    assert [(r.source_name, r.raw_text, r.location) for r in ctx.rejects] == [
        ("kalshi_files_top_of_book", "market_data_latest.csv", "/logs/market_data_latest.csv")
    ]
    assert "no event ticker in its name or its rows" in ctx.rejects[0].reason


def test_book_rows_of_an_unknown_series_are_rejects() -> None:
    text = "\n".join(
        [
            BOOK_HEADER,
            "2025-12-04T12:27:16,KXHIGHTATL-25DEC05-B51.5,40,55,45,60",
            "2025-12-04T12:27:16,KXHIGHTXYZ-25DEC05-B51.5,40,55,45,60",
        ]
    )
    ctx = _ctx()
    rows = list(
        top_of_book.parse_top_of_book(_doc(text, "market_data_KXHIGHTATL-25DEC05.csv"), ctx, "UTC")
    )
    assert {r["market_ticker"] for r in rows} == {"KXHIGHTATL-25DEC05-B51.5"}
    assert len(ctx.rejects) == 1 and REGISTRY_REASON in ctx.rejects[0].reason


@pytest.mark.realdata
def test_run_files_loads_a_market_data_log(realdata: Path, tmp_path: Path, warehouse: Path) -> None:
    from pipelines.kalshi import runner
    from tests.conftest import query_rows

    path = _real_book_head(realdata, tmp_path / "market_data_KXHIGHNY-25DEC05.csv")
    summary = runner.run_files([path])
    assert summary.rejects_added == 0
    assert summary.table_rows["orderbook_snapshots"] == 2 * 399
    rows = query_rows(
        warehouse, "select distinct source_location from raw_kalshi.orderbook_snapshots"
    )
    assert {row["source_location"].rsplit(":", 1)[0] for row in rows} == {str(path)}
