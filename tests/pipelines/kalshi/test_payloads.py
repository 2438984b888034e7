"""load_payloads: API-format objects (the simulated sample's channel) stream into raw_kalshi."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines.kalshi import runner
from pipelines.kalshi.payloads import CandlePayload, KalshiPayloads

log = logging.getLogger(__name__)

N_MARKETS = 600
N_CANDLES = 30_000


def _markets() -> Iterator[tuple[str, dict, str]]:
    for i in range(N_MARKETS):
        day = 1 + (i // 6) % 28
        event = f"KXHIGHCHI-26JAN{day:02d}" if i < 6 * 28 else f"KXHIGHCHI-26FEB{day:02d}"
        kind = i % 6
        market = {
            "ticker": f"{event}-B{30 + 2 * kind}.5" if i < 2 * 6 * 28 else f"{event}-X{i}",
            "event_ticker": event,
            "status": "finalized",
            "result": "yes" if kind == 2 else "no",
            "strike_type": "between",
            "floor_strike": 30 + 2 * kind,
            "cap_strike": 31 + 2 * kind,
            "yes_bid_dollars": "0.1200",
            "volume_fp": "5.00",
        }
        yield "KXHIGHCHI", market, "historical" if i % 2 else "live"
    yield "KXHIGHCHI", {"ticker": "KXHIGHCHI-26JAN01-BAD", "yes_ask_dollars": "7"}, "live"


def _candles() -> Iterator[CandlePayload]:
    for i in range(N_CANDLES):
        candle = {
            "end_period_ts": 1767225600 + 60 * i,
            "yes_bid": {"close_dollars": "0.2500"},
            "yes_ask": {"close_dollars": "0.2700"},
            "volume_fp": "1.00",
            "open_interest_fp": "9.00",
        }
        yield CandlePayload("KXHIGHCHI", "KXHIGHCHI-26JAN01-B30.5", 1, candle)


def _payloads() -> KalshiPayloads:
    return KalshiPayloads(
        data_source="simulated",
        ingest_channel="sample",
        location="sample:test",
        series=[{"ticker": "KXHIGHCHI", "fee_type": "quadratic", "fee_multiplier": 1}],
        events=[{"event_ticker": "KXHIGHCHI-26JAN01", "series_ticker": "KXHIGHCHI"}],
        markets=_markets(),  # generators: the loader must stream
        candles=_candles(),
        trades=[
            {
                "trade_id": "t1",
                "ticker": "KXHIGHCHI-26JAN01-B30.5",
                "count": 3,
                "yes_price": 40,
                "no_price": 60,
                "taker_side": "yes",
                "created_time": "2026-01-01T12:00:00Z",
            }
        ],
        orderbooks=[
            (
                "KXHIGHCHI-26JAN01-B30.5",
                "2026-01-01T12:00:00Z",
                {"orderbook_fp": {"yes_dollars": [["0.2500", "3.00"]]}},
            )
        ],
    )


def test_load_payloads_streams_labels_and_is_idempotent(warehouse: Path) -> None:
    began = time.perf_counter()
    first = runner.load_payloads(_payloads(), "sample")
    seconds = time.perf_counter() - began
    rows = N_MARKETS + N_CANDLES
    log.info("load_payloads: %d rows in %.1fs (%.0f rows/s)", rows, seconds, rows / seconds)
    assert first.table_rows == {
        "series": 1,
        "series_snapshots": 1,
        "events": 1,
        "markets": N_MARKETS,
        "candlesticks": N_CANDLES,
        "trades": 1,
        "orderbook_snapshots": 1,
        "rejects": 1,
    }
    assert first.rejects_added == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        labels = con.execute(
            "select distinct data_source, ingest_channel from raw_kalshi.markets"
        ).fetchall()
        trade = con.execute("select count_fp, yes_price_dollars from raw_kalshi.trades").fetchall()
        first_seen = con.execute("select first_seen_at from raw_kalshi.series_snapshots").fetchall()
    assert labels == [("simulated", "sample")]
    assert trade == [("3.00", "0.4000")]  # legacy integer fields normalised
    second = runner.load_payloads(_payloads(), "sample")
    assert second.table_rows == first.table_rows
    with duckdb.connect(str(warehouse), read_only=True) as con:
        again = con.execute("select first_seen_at from raw_kalshi.series_snapshots").fetchall()
    assert again == first_seen  # the snapshot's first sighting does not move on re-load
