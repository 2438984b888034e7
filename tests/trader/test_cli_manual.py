"""``python -m trader markets`` and ``buy`` as an operator runs them, against the fake exchange."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.climate_day import climate_date, climate_day_window
from domain.stations import station_by_icao
from domain.tickers import event_ticker
from tests.conftest import REPO_ROOT
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_exchange import FakeExchange, fake_exchange
from tests.trader.conftest import threshold_row


@dataclass
class Venue:
    """The fakes a command talks to, and the environment pointing at them."""

    exchange: FakeExchange
    env: dict[str, str]
    event: str


def _run(args: list[str], venue: Venue, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trader", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "200", **venue.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[Venue]:
    """KNYC's current climate day: a 78 °F reading ten minutes ago, a three-bracket HIGH ladder."""
    station = station_by_icao("KNYC")
    now = datetime.now(UTC)
    day = climate_date(now, station)
    start, _ = climate_day_window(day, station)
    seen = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
    if seen < start:
        pytest.skip("too close to LST midnight for a reading of today to be published")
    iem = FakeIem(realdata=None)
    iem.asos.clear()
    iem.asos[("NYC", "3")] = [
        f"NYC,{seen:%Y-%m-%d %H:%M},78.00,64.00,KNYC {seen:%d%H%M}Z AUTO 04003KT 10SM FEW041 "
        "26/18 A3006 RMK AO2 SLP171 T02560178"
    ]
    event = event_ticker("KXHIGHNY", day)
    with fake_exchange() as exchange:
        exchange.add_market(f"{event}-B75.5", floor_strike=75, cap_strike=76)
        exchange.add_market(f"{event}-B77.5", floor_strike=77, cap_strike=78)
        exchange.add_market(f"{event}-T78", strike_type="greater", floor_strike=78)
        exchange.set_book(f"{event}-B75.5", yes_bids=[("0.01", 5)], no_bids=[("0.95", 40)])
        exchange.set_book(f"{event}-B77.5", yes_bids=[("0.55", 10)], no_bids=[("0.40", 50)])
        exchange.set_book(f"{event}-T78", no_bids=[("0.70", 20)])
        key = tmp_path / "kalshi.pem"
        key.write_bytes(exchange.pem)
        env = {
            "KALSHI_API_KEY_ID": exchange.key_id,
            "KALSHI_PRIVATE_KEY_PATH": str(key),
            "KALSHI_BASE_URL": exchange.base_url,
            "IEM_BASE_URL": iem.start(),
        }
        yield Venue(exchange, env, event)
        iem.stop()


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "station_thresholds.json"
    path.write_text(json.dumps([threshold_row(window_start_minute=0)]))
    return path


def test_markets_shows_the_ladder_with_the_engines_view(tmp_path: Path, venue: Venue) -> None:
    args = ["markets", "--station", "KNYC", "--export", str(_export(tmp_path))]
    result = _run(args, venue, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if venue.event in line}
    held = rows[f"{venue.event}-B77.5"]
    # bid 0.55, ask 1 - 0.40 = 0.60 with 50 contracts, 78 °F one degree under the upper edge,
    # p = accuracy 0.95, 16 contracts within $10, fee $0.27: edge 0.95 - 0.60 - 0.27/16
    for cell in ("*", "0.55", "0.60", "50", "0.9500", "16", "0.27", "0.3331"):
        assert cell in held.split(), held
    assert "dead" in rows[f"{venue.event}-B75.5"]
    assert "running high 78°F" in result.stdout
    assert "engine (design, GO; risk limits not applied): BUY_YES trade" in result.stdout
    assert "KNYC LOW" in result.stdout and "no event listed" in result.stdout


def test_buy_journals_a_paper_order_once_per_station_day(tmp_path: Path, venue: Venue) -> None:
    journal = str(tmp_path / "j.sqlite")
    market = f"{venue.event}-B77.5"
    args = ["buy", market, "--count", "5", "--max-price", "0.65", "--journal", journal]
    result = _run(args, venue, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "paper filled" in result.stdout and "5 of 5 @ <= 0.65, cost $3.00" in result.stdout
    status = json.loads(_run(["status", "--json", "--journal", journal], venue, tmp_path).stdout)
    (order,) = status["orders"]
    assert (order["market_ticker"], order["status"], order["filled_count"]) == (
        market,
        "filled",
        "5",
    )
    assert venue.exchange.orders_received == []  # paper: nothing reached the exchange
    again = _run(args, venue, tmp_path)
    assert again.returncode == 2 and "already has an order: one trade per day" in again.stdout


@pytest.mark.parametrize(
    ("ticker", "price", "message"),
    [
        ("KXHIGHNY-26DEC01-B77.5", "1.20", "must be a whole cent in (0, 1)"),
        ("KXHIGHNY-26DEC01-B77.5", "0.555", "must be a whole cent in (0, 1)"),
        ("NOTASERIES-26DEC01-B77.5", "0.50", "NOTASERIES"),
        ("{event}-B99.5", "0.50", "is not an open market"),
    ],
)
def test_buy_refuses_bad_input_in_one_line(
    tmp_path: Path, venue: Venue, ticker: str, price: str, message: str
) -> None:
    args = ["buy", ticker.format(event=venue.event), "--count", "1", "--max-price", price]
    result = _run([*args, "--journal", str(tmp_path / "j.sqlite")], venue, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
