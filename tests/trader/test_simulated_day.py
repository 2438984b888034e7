"""A whole simulated climate day through the trader, end to end over real HTTP.

The fake IEM serves the sample's raw KNYC reports in asos.py CSV; the fake Kalshi serves the
sample's ladder and, at each instant of the injected clock, a book made from the latest candle
(YES ask -> NO bid). The trader ticks every 15 minutes through the day (00:15 to 23:45 LST). Checked at every tick:
the running extremes the trader derives from the CSV equal ``int_running_extremes`` at that
checkpoint (the live feed path agrees with the loaders' path), and over the day: one decision
per tick, exactly one order for the key, never a second.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.iem.client import IemClient
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.signing import KalshiSigner
from domain.climate_day import climate_day_window
from domain.risk import RiskLimits
from domain.stations import station_by_icao
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_server import fake_kalshi, make_key_pair
from tests.trader.conftest import threshold_row
from trader.brokers import PaperBroker
from trader.feeds import IemObservations
from trader.inputs import load_thresholds
from trader.journal import Journal
from trader.loop import Trader
from trader.markets import KalshiMarkets, SeriesFees
from trader.recovery import restore_breakers

pytestmark = pytest.mark.dbt

DAY = date(2025, 3, 10)
EVENT = "KXHIGHNY-25MAR10"
KEY_ID = "simulated-day"


def _rows(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _number(text: str | None) -> int | float | None:
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _fake_iem(warehouse: Path) -> FakeIem:
    iem = FakeIem(realdata=None)
    iem.asos.clear()
    rows = _rows(
        warehouse,
        "select valid_at, report_type, temp_f_reported, dewpoint_f_reported, metar "
        "from raw_iem.asos_observations where station = 'KNYC' order by valid_at",
    )
    for valid, report_type, tmpf, dwpf, metar in rows:
        fields = [f"{v:.2f}" if v is not None else "M" for v in (tmpf, dwpf)]
        line = f"NYC,{valid.astimezone(UTC):%Y-%m-%d %H:%M},{fields[0]},{fields[1]},{metar or ''}"
        iem.asos[("NYC", str(report_type))].append(line)
    return iem


def test_a_simulated_day_end_to_end(trader_warehouse: Path, tmp_path: Path) -> None:
    key: rsa.RSAPrivateKey
    key, pem = make_key_pair()
    station = station_by_icao("KNYC")
    start, _ = climate_day_window(DAY, station)
    markets = _rows(
        trader_warehouse,
        "select market_ticker, strike_type, floor_strike, cap_strike from raw_kalshi.markets "
        "where event_ticker = ?",
        [EVENT],
    )
    candles: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for ticker, end, ask in _rows(
        trader_warehouse,
        "select market_ticker, end_period_ts, yes_ask_close_dollars from raw_kalshi.candlesticks "
        "where market_ticker like ? and yes_ask_close_dollars is not null order by end_period_ts",
        [f"{EVENT}-%"],
    ):
        candles[ticker].append((end, ask))
    expected = {
        row[0]: row[1:]
        for row in _rows(
            trader_warehouse,
            "select checkpoint_at, running_max_f, running_min_f, available_observation_count "
            "from int_running_extremes where station_icao = 'KNYC' and climate_date = ?",
            [DAY],
        )
    }
    clock = [start]

    def book(ticker: str) -> Any:
        def handler(query: dict[str, str]) -> tuple[int, Any]:
            seen = [ask for end, ask in candles[ticker] if end <= clock[0]]
            if not seen:
                return 200, {"orderbook_fp": {}}
            no_bid = Decimal(1) - Decimal(seen[-1])
            return 200, {"orderbook_fp": {"no_dollars": [[str(no_bid), "50.00"]]}}

        return handler

    iem = _fake_iem(trader_warehouse)
    with fake_kalshi(key.public_key(), KEY_ID) as kalshi:
        payload = [
            {
                "ticker": ticker,
                "status": "active",
                "strike_type": kind,
                "floor_strike": _number(floor),
                "cap_strike": _number(cap),
            }
            for ticker, kind, floor, cap in markets
        ]
        kalshi.route(f"/events/{EVENT}", {"event": {"markets": payload}})
        kalshi.route("/series/KXHIGHNY", {"series": {"fee_type": "quadratic"}})
        for ticker, *_ in markets:
            kalshi.route(f"/markets/{ticker}/orderbook", book(ticker))
        export_path = tmp_path / "station_thresholds.json"
        row = threshold_row(window_start_minute=600, buffer_f=0, accuracy="0.9900")
        export_path.write_text(json.dumps([row]))
        journal = Journal(tmp_path / "journal.sqlite")
        client = KalshiClient(
            kalshi.base_url, KalshiSigner.from_pem(KEY_ID, pem), max_retries=0, sleep=lambda s: None
        )
        feed = KalshiMarkets(client)
        iem_client = IemClient(iem.start(), min_interval=0, max_attempts=1, sleep=lambda s: None)

        def broker_for(fees: SeriesFees) -> PaperBroker:
            return PaperBroker(feed.book, lambda: clock[0], fees.fee_type, fees.fee_multiplier)

        trader = Trader(
            load_thresholds(export_path, datetime.now(UTC)),
            journal,
            IemObservations(iem_client),
            feed,
            broker_for,
            restore_breakers(journal, RiskLimits()),
            lambda: clock[0],
        )
        reports = []
        try:
            # 00:15 .. 23:45 LST: at 24:00 the live clock is already in the next climate day
            # (the SQL's checkpoint 1440 belongs to this day: no live tick can see it).
            for k in range(1, 96):
                clock[0] = start + timedelta(minutes=15 * k)
                reports.append(trader.tick())
        finally:
            iem_client.close()
            iem.stop()
    stations = [report.stations[0] for report in reports]
    for tick in stations:
        assert tick.extreme is not None
        at = tick.extreme.as_of
        got = (
            tick.extreme.running_max_f,
            tick.extreme.running_min_f,
            tick.extreme.observation_count,
        )
        assert got == expected[at], at
    decisions = [d for tick in stations for d in tick.decisions]
    assert len(decisions) == 95
    trades = [d for d in decisions if d.is_trade]
    assert len(trades) == 1, [d.reason_code for d in decisions]
    (order,) = journal.orders()
    assert (
        order.dedup_key == "2025-03-10_KNYC_HIGH" and order.market_ticker == trades[0].market_ticker
    )
    after = [d.reason_code for d in decisions[decisions.index(trades[0]) + 1 :]]
    assert "risk_limit_one_trade_per_day" in after, after
    journal.close()
