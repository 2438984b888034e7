"""run_live against the fake Kalshi server: tier routing, parsing, rejects, idempotence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from domain.stations import station_by_icao
from pipelines.kalshi import runner
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_server import FakeKalshi, Query, Response

LIVE_TICKER = "KXHIGHNY-26JAN20-B40.5"
OLD_TICKER = "KXHIGHNY-26JAN05-T35"
BAD_TICKER = "KXHIGHNY-26JAN20-B42.5"


def _market(ticker: str, status: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "ticker": ticker,
        "event_ticker": ticker.rsplit("-", 1)[0],
        "status": status,
        "result": "",
        "strike_type": "between",
        "floor_strike": 40.0,
        "cap_strike": 41.0,
        "open_time": "2026-01-19T15:00:00Z",
        "close_time": "2026-01-21T04:59:00Z",
        "yes_bid_dollars": "0.2500",
        "yes_ask_dollars": "0.2700",
        "volume_fp": "12.00",
        "rules_primary": "If the highest temperature recorded in Central Park...",
    }
    base.update(extra)
    return base


def _live_markets(query: Query) -> Response:
    if query.get("series_ticker") != "KXHIGHNY":
        return 200, {"markets": [], "cursor": ""}
    bad = _market(BAD_TICKER, "active", yes_bid_dollars="1.5000")  # a price above $1
    return 200, {"markets": [_market(LIVE_TICKER, "active"), bad], "cursor": ""}


def _historical_markets(query: Query) -> Response:
    if query.get("series_ticker") != "KXHIGHNY":
        return 200, {"markets": [], "cursor": ""}
    old = _market(
        OLD_TICKER,
        "finalized",
        result="yes",
        strike_type="less",
        floor_strike=None,
        cap_strike=35,
        open_time="2026-01-04T15:00:00Z",
        close_time="2026-01-06T04:59:00Z",
        settlement_ts="2026-01-06T13:00:00Z",
    )
    return 200, {"markets": [old], "cursor": ""}


LIVE_CANDLE = {
    "end_period_ts": 1768900000,
    "yes_bid": {
        "open_dollars": "0.2000",
        "low_dollars": "0.1900",
        "high_dollars": "0.2600",
        "close_dollars": "0.2500",
    },
    "yes_ask": {
        "open_dollars": "0.2200",
        "low_dollars": "0.2100",
        "high_dollars": "0.2800",
        "close_dollars": "0.2700",
    },
    "price": {
        "open_dollars": None,
        "close_dollars": None,
        "mean_dollars": None,
        "previous_dollars": "0.2600",
    },
    "volume_fp": "3.00",
    "open_interest_fp": "40.00",
}
HISTORICAL_CANDLE = {
    "end_period_ts": 1767600000,
    "yes_bid": {"open": "0.2000", "low": "0.1900", "high": "0.2600", "close": "0.2500"},
    "yes_ask": {"open": "0.2200", "low": "0.2100", "high": "0.2800", "close": "0.2700"},
    "price": {"open": "0.2300", "close": "0.2400", "mean": "0.2350", "previous": "0.2600"},
    "volume": "3.00",
    "open_interest": "40.00",
}


def _serve(server: FakeKalshi, cutoff: str) -> None:
    server.route(
        "/historical/cutoff",
        {"market_settled_ts": cutoff, "trades_created_ts": cutoff, "orders_updated_ts": cutoff},
    )
    server.route(
        "/series/KXHIGHNY",
        {
            "series": {
                "ticker": "KXHIGHNY",
                "title": "Highest temperature in NYC",
                "category": "Climate and Weather",
                "fee_type": "quadratic",
                "fee_multiplier": 1,
                "settlement_sources": [
                    {"name": "National Weather Service", "url": "https://w1.weather.gov/"}
                ],
                "contract_terms_url": "https://kalshi.com/terms/HIGHNY.pdf",
            }
        },
    )
    server.route("/markets", _live_markets)
    server.route("/historical/markets", _historical_markets)
    server.route(
        "/events",
        lambda q: (
            200,
            {
                "events": [
                    {
                        "event_ticker": "KXHIGHNY-26JAN20",
                        "series_ticker": "KXHIGHNY",
                        "title": "NYC high",
                        "mutually_exclusive": True,
                    }
                ]
                if q.get("series_ticker") == "KXHIGHNY"
                else [],
                "cursor": "",
            },
        ),
    )
    server.route(
        f"/series/KXHIGHNY/markets/{LIVE_TICKER}/candlesticks",
        {"ticker": LIVE_TICKER, "candlesticks": [LIVE_CANDLE]},
    )
    server.route(
        f"/historical/markets/{OLD_TICKER}/candlesticks",
        {"ticker": OLD_TICKER, "candlesticks": [HISTORICAL_CANDLE]},
    )
    trade = {
        "trade_id": "t-1",
        "ticker": LIVE_TICKER,
        "count_fp": "5.00",
        "yes_price_dollars": "0.2600",
        "no_price_dollars": "0.7400",
        "taker_side": "yes",
        "created_time": "2026-01-20T14:00:00Z",
    }
    server.route(
        "/markets/trades",
        lambda q: (
            200,
            {"trades": [trade] if q.get("ticker") == LIVE_TICKER else [], "cursor": ""},
        ),
    )
    server.route("/historical/trades", {"trades": [], "cursor": ""})
    server.route(
        f"/markets/{LIVE_TICKER}/orderbook",
        {
            "orderbook_fp": {
                "yes_dollars": [["0.2400", "120.00"], ["0.2500", "10.00"]],
                "no_dollars": [["0.7300", "40.00"]],
            }
        },
    )


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def live_env(server: FakeKalshi, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> FakeKalshi:
    monkeypatch.setenv("KALSHI_BASE_URL", server.base_url)
    monkeypatch.setenv("KALSHI_API_KEY_ID", KEY_ID)
    monkeypatch.setenv("KALSHI_PRIVATE_KEY_PATH", str(key_file))
    return server


def test_run_live_routes_tiers_and_rejects_bad_rows(live_env: FakeKalshi, warehouse: Path) -> None:
    _serve(live_env, cutoff="2026-01-10T00:00:00Z")
    stations = [station_by_icao("KNYC")]
    summary = runner.run_live(stations, date(2026, 1, 5), date(2026, 1, 20))

    assert all(s.signature_ok for s in live_env.seen)
    # the window starts before the cutoff, so the historical tier was asked for every series
    hist = {s.query["series_ticker"] for s in live_env.requests_to("/historical/markets")}
    assert hist == {"KXHIGHNY", "KXLOWTNYC", "HIGHNY"}

    markets = dict(_rows(warehouse, "select market_ticker, market_tier from raw_kalshi.markets"))
    assert markets == {LIVE_TICKER: "live", OLD_TICKER: "historical"}
    candles = _rows(
        warehouse,
        "select market_ticker, candle_tier, period_minutes, yes_bid_close_dollars, "
        "yes_ask_high_dollars, volume_fp from raw_kalshi.candlesticks order by 1, 3",
    )
    # live (`close_dollars`) and historical (`close`) keys land in the same columns
    assert candles == [
        (OLD_TICKER, "historical", 1, "0.2500", "0.2800", "3.00"),
        (OLD_TICKER, "historical", 60, "0.2500", "0.2800", "3.00"),
        (LIVE_TICKER, "live", 1, "0.2500", "0.2800", "3.00"),
        (LIVE_TICKER, "live", 60, "0.2500", "0.2800", "3.00"),
    ]
    book = _rows(
        warehouse,
        "select book_side, level, price_dollars, size_fp from raw_kalshi.orderbook_snapshots order by 1 desc, 2",
    )
    assert book == [
        ("yes", 0, "0.2500", "10.00"),
        ("yes", 1, "0.2400", "120.00"),
        ("no", 0, "0.7300", "40.00"),
    ]
    assert _rows(warehouse, "select trade_id, count_fp from raw_kalshi.trades") == [("t-1", "5.00")]
    assert summary.table_rows["series"] == 1 and summary.table_rows["series_snapshots"] == 1

    rejects = _rows(warehouse, "select source_name, reason, raw_text from raw_kalshi.rejects")
    assert len(rejects) == 1
    assert rejects[0][0] == "kalshi_markets" and "outside [0, 1]" in rejects[0][1]
    assert BAD_TICKER in rejects[0][2]

    # re-running never duplicates; only the order book gains a second snapshot (a new instant)
    again = runner.run_live(stations, date(2026, 1, 5), date(2026, 1, 20))
    books = (
        again.table_rows.pop("orderbook_snapshots"),
        summary.table_rows.pop("orderbook_snapshots"),
    )
    assert again.table_rows == summary.table_rows
    assert books == (6, 3)


def test_run_live_skips_history_after_the_cutoff(live_env: FakeKalshi, warehouse: Path) -> None:
    _serve(live_env, cutoff="2026-01-01T00:00:00Z")
    runner.run_live([station_by_icao("KNYC")], date(2026, 1, 18), date(2026, 1, 20))
    assert live_env.requests_to("/historical/markets") == []
    assert live_env.requests_to("/historical/trades") == []
    tiers = _rows(warehouse, "select distinct market_tier from raw_kalshi.markets")
    assert tiers == [("live",)]
