"""A small simulated world for the live trader: the fake exchange and the fake IEM over real HTTP.

KNYC reads a steady 78 °F every 10 minutes over two climate days; each day's HIGH and LOW events
list one market, ``B77.5`` (77..78 °F), whose book asks 0.60 for 500 contracts. The thresholds
export trades both contracts (LOW from 05:00 LST, HIGH from 10:00 LST), so an uninterrupted run
orders four times: 16 contracts at 0.60 each. ``trader_command`` is ``python -m trader --live``
with the hidden test clock, stepping an hour at a time through both days.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from domain.climate_day import climate_day_window
from domain.stations import station_by_icao
from domain.tickers import event_ticker
from tests.conftest import REPO_ROOT
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_exchange import FakeExchange, fake_exchange
from tests.trader.conftest import threshold_row

KEY_ID = "live-trader-test-key"
STATION = "KNYC"
DAYS = (date(2026, 11, 24), date(2026, 11, 25))
SERIES = ("KXHIGHNY", "KXLOWTNYC")
STEP_MINUTES = 60


def market_tickers() -> list[str]:
    """The four markets of the world (two days x HIGH/LOW)."""
    return [f"{event_ticker(series, day)}-B77.5" for day in DAYS for series in SERIES]


def clock_span() -> tuple[datetime, datetime]:
    """The test clock's first and last tick: an hour into the first day, an hour before the
    end of the second."""
    station = station_by_icao(STATION)
    start, _ = climate_day_window(DAYS[0], station)
    _, end = climate_day_window(DAYS[-1], station)
    return start + timedelta(minutes=STEP_MINUTES), end - timedelta(minutes=STEP_MINUTES)


def _readings(iem: FakeIem) -> None:
    start, end = clock_span()
    at = (start - timedelta(hours=2)).replace(minute=3)
    lines = []
    while at <= end:
        lines.append(
            f"NYC,{at:%Y-%m-%d %H:%M},78.00,64.00,KNYC {at:%d%H%M}Z AUTO 04003KT 10SM FEW041 "
            "26/18 A3006 RMK AO2 SLP171 T02560178"
        )
        at += timedelta(minutes=10)
    iem.asos.clear()
    iem.asos[("NYC", "3")] = lines


@dataclass
class World:
    """The running fakes and the files a live trader needs."""

    exchange: FakeExchange
    iem: FakeIem
    iem_url: str
    export: Path
    key_file: Path
    arming_file: Path
    journal: Path

    def env(self) -> dict[str, str]:
        """The trader's environment: keys, the fake IEM, no stray Kalshi base URL."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_")}
        return {
            **env,
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONHASHSEED": "0",
            "COLUMNS": "200",
            "IEM_BASE_URL": self.iem_url,
            "KALSHI_API_KEY_ID": KEY_ID,
            "KALSHI_PRIVATE_KEY_PATH": str(self.key_file),
        }

    def publish_cli(self, high: int, low: int) -> None:
        """The CLI reports of both days, issued the next morning (what settles them)."""
        for day in DAYS:
            issued = day + timedelta(days=1)
            self.iem.cli[(STATION, day.year)].append(
                {
                    "station": STATION,
                    "valid": day.isoformat(),
                    "product": f"{issued:%Y%m%d}0630-KOKX-CDUS41-CLINYC",
                    "high": high,
                    "low": low,
                }
            )

    def trader_command(self, *extra: str) -> list[str]:
        """``python -m trader --live`` over the whole simulated span."""
        start, end = clock_span()
        return [
            sys.executable,
            "-m",
            "trader",
            "--live",
            "--env",
            "demo",
            "--base-url",
            self.exchange.base_url,
            "--arming-file",
            str(self.arming_file),
            "--export",
            str(self.export),
            "--journal",
            str(self.journal),
            "--stations",
            STATION,
            "--clock-start",
            start.isoformat(),
            "--clock-end",
            end.isoformat(),
            "--clock-step-minutes",
            str(STEP_MINUTES),
            "--reconcile-minutes",
            str(STEP_MINUTES),
            *extra,
        ]


@contextmanager
def live_world(tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[World]:
    """Start the fakes and write the export, the key file and today's arming file."""
    iem = FakeIem(realdata=None)
    _readings(iem)
    iem_url = iem.start()
    try:
        with fake_exchange(key_pair, KEY_ID) as exchange:
            for ticker in market_tickers():
                exchange.add_market(ticker, strike_type="between", floor_strike=77, cap_strike=78)
                exchange.set_book(ticker, no_bids=[("0.40", 500)])
            export = tmp_path / "station_thresholds.json"
            rows = [
                threshold_row(contract_type="HIGH", window_start_minute=600),
                threshold_row(contract_type="LOW", window_start_minute=300),
            ]
            export.write_text(json.dumps(rows))
            key_file = tmp_path / "kalshi.pem"
            key_file.write_bytes(key_pair[1])
            arming = tmp_path / "armed.txt"
            arming.write_text(f"live demo {datetime.now(UTC).date().isoformat()}\n")
            yield World(exchange, iem, iem_url, export, key_file, arming, tmp_path / "live.sqlite")
    finally:
        iem.stop()


def journal_rows(journal: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query on a journal file."""
    with sqlite3.connect(journal) as db:
        return list(db.execute(sql))


def assert_journal_matches_exchange(world: World) -> None:
    """Every exchange order is journaled with its fills; every journaled order has an outcome;
    no client order id reached the exchange twice."""
    exchange = world.exchange
    sent = exchange.sent_counts()
    assert sent and max(sent.values()) == 1, sent
    on_exchange = {o.client_order_id: o for o in exchange.orders()}
    journal = {
        row[0]: row[1:]
        for row in journal_rows(
            world.journal,
            "SELECT client_order_id, status, venue_order_id, broker, status_reason FROM orders",
        )
    }
    assert set(on_exchange) <= set(journal), (on_exchange.keys(), journal.keys())
    for cid, (status, venue_id, broker, reason) in journal.items():
        assert broker == "live"
        assert status in ("filled", "partial", "rejected"), (cid, status, reason)
        if cid in on_exchange:
            assert venue_id == on_exchange[cid].order_id
        else:  # never executed: refused before execution, or killed before the send
            assert status == "rejected", (cid, reason)
    fills = {f.fill_id: (f.client_order_id, f.count, f.yes_price) for f in exchange.fills()}
    journaled = {
        row[0]: (row[1], row[2], row[3])
        for row in journal_rows(
            world.journal, "SELECT fill_id, client_order_id, count, price FROM fills"
        )
    }
    assert fills == {k: (c, Decimal(str(n)), Decimal(str(p))) for k, (c, n, p) in journaled.items()}
