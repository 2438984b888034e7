"""``python -m trader`` as a user runs it: real processes, fake servers over real HTTP."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.brackets import Bracket
from domain.climate_day import climate_date, climate_day_window
from domain.orders import OrderIntent
from domain.stations import station_by_icao
from domain.tickers import event_ticker
from tests.conftest import REPO_ROOT
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_server import FakeKalshi, fake_kalshi, make_key_pair
from tests.trader.conftest import threshold_row
from trader.journal import Journal
from trader.journal_state import SettlementRecord, breaker_events, record_settlement

KEY_ID = "trader-cli-key"


@pytest.fixture(scope="module")
def key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    return make_key_pair()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trader", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _export(tmp_path: Path, **row: Any) -> Path:
    path = tmp_path / "station_thresholds.json"
    path.write_text(json.dumps([threshold_row(window_start_minute=0, **row)]))
    return path


def _key_env(tmp_path: Path, pem: bytes) -> dict[str, str]:
    key = tmp_path / "kalshi.pem"
    key.write_bytes(pem)
    return {"KALSHI_API_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY_PATH": str(key)}


def test_offline_prints_one_clear_line_and_exits_non_zero(
    tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    env = {
        **_key_env(tmp_path, key_pair[1]),
        "IEM_BASE_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        "KALSHI_BASE_URL": "http://127.0.0.1:9/trade-api/v2",
    }
    args = ["--paper", "--once", "--export", str(_export(tmp_path))]
    result = _run([*args, "--journal", str(tmp_path / "j.sqlite")], env, tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "cannot reach IEM" in result.stdout.splitlines()[-1]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p / "absent.json", "is missing"),
        (lambda p: _export(p, data_source="simulated"), "pass --simulated"),
    ],
)
def test_bad_exports_refuse_to_start(tmp_path: Path, setup: Any, message: str) -> None:
    export = setup(tmp_path)
    result = _run(
        ["--once", "--export", str(export), "--journal", str(tmp_path / "j")], {}, tmp_path
    )
    assert result.returncode == 2 and message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_live_without_keys_exits_1_with_one_clear_line(tmp_path: Path) -> None:
    """From a fresh clone: no keys in the environment, no secrets file."""
    env = {k: "" for k in ("KALSHI_API_KEY_ID", "KALSHI_PRIVATE_KEY_PATH", "KALSHI_BASE_URL")}
    result = _run(["--live"], env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().splitlines() == [
        "live trading needs KALSHI_API_KEY_ID in the environment"
    ]
    assert result.stderr == ""


@pytest.fixture
def servers(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[tuple[str, FakeKalshi]]:
    """Fake IEM and Kalshi serving KNYC's current climate day (the CLI's clock is real)."""
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
    market = f"{event}-B77.5"
    with fake_kalshi(key_pair[0].public_key(), KEY_ID) as kalshi:
        kalshi.route(
            f"/events/{event}",
            {
                "event": {
                    "markets": [
                        {
                            "ticker": market,
                            "status": "active",
                            "strike_type": "between",
                            "floor_strike": 77,
                            "cap_strike": 78,
                        }
                    ]
                }
            },
        )
        kalshi.route("/series/KXHIGHNY", {"series": {"fee_type": "quadratic"}})
        kalshi.route(
            f"/markets/{market}/orderbook", {"orderbook_fp": {"no_dollars": [["0.40", "50.00"]]}}
        )
        yield iem.start(), kalshi
        iem.stop()


def test_once_against_the_fake_servers_trades_and_status_shows_it(
    tmp_path: Path, servers: tuple[str, FakeKalshi], key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    iem_url, kalshi = servers
    env = {
        **_key_env(tmp_path, key_pair[1]),
        "IEM_BASE_URL": iem_url,
        "KALSHI_BASE_URL": kalshi.base_url,
    }
    journal = str(tmp_path / "j.sqlite")
    args = ["--once", "--export", str(_export(tmp_path)), "--journal", journal, "--verbose"]
    result = _run(args, env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KNYC" in result.stdout and "BUY 16" in result.stdout, result.stdout
    status = _run(["status", "--json", "--journal", journal], {}, tmp_path)
    report = json.loads(status.stdout)
    (order,) = report["orders"]
    assert order["status"] == "filled" and order["filled_count"] == "16"
    assert order["cost_dollars"] == "9.60" and report["open_positions"] == [order]
    again = _run(args, env, tmp_path)  # a second run the same day: no second order
    assert again.returncode == 0 and "risk_limit_one_trade_per_day" in again.stdout
    assert (
        len(
            json.loads(_run(["status", "--json", "--journal", journal], {}, tmp_path).stdout)[
                "orders"
            ]
        )
        == 1
    )


def test_resume_lifts_a_five_loss_halt(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    at = datetime(2026, 2, 1, 12, tzinfo=UTC)
    with Journal(path) as journal:
        for n, station in enumerate(("KNYC", "KMDW", "KMIA", "KLAX", "KDEN")):
            day = at.date() + timedelta(days=n)
            order = journal.record_intent(
                OrderIntent(day, station, "HIGH", "T", Bracket(70, 71), 10, Decimal("0.80"), at)
            )
            record_settlement(
                journal,
                SettlementRecord(
                    order.client_order_id,
                    "T",
                    "no",
                    70,
                    72,
                    False,
                    Decimal("-8.10"),
                    day,
                    at + timedelta(days=n),
                ),
            )
    before = json.loads(_run(["status", "--json", "--journal", str(path)], {}, tmp_path).stdout)
    assert before["breakers"]["halted"] is True
    result = _run(["resume", "--journal", str(path)], {}, tmp_path)
    assert result.returncode == 0 and "resumed" in result.stdout
    after = json.loads(_run(["status", "--json", "--journal", str(path)], {}, tmp_path).stdout)
    assert after["breakers"]["halted"] is False and after["breakers"]["consecutive_losses"] == 0
    with Journal(path) as journal:
        assert [(e.breaker, e.state_to) for e in breaker_events(journal)] == [
            ("consecutive_losses", "ok")
        ]
    assert "nothing to resume" in _run(["resume", "--journal", str(path)], {}, tmp_path).stdout


def test_every_command_has_help(tmp_path: Path) -> None:
    commands = ("status", "resume", "settle", "replay", "advise", "markets", "buy")
    for args in (["--help"], *([command, "--help"] for command in commands)):
        result = _run(args, {}, tmp_path)
        assert result.returncode == 0 and "Usage" in result.stdout
    main = _run(["--help"], {"COLUMNS": "200"}, tmp_path).stdout
    assert "--arming-file" in main and "--max-daily-exposure" in main
    assert "--clock-start" not in main  # the test clock is hidden


def test_kill_9_at_random_points_never_orders_twice(
    tmp_path: Path, servers: tuple[str, FakeKalshi], key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    """Kill ``--once`` runs at random instants (start-up, tick, after the intent...), then run to
    completion: one order for the key, its fills journaled once, a sound journal."""
    iem_url, kalshi = servers
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        **_key_env(tmp_path, key_pair[1]),
        "IEM_BASE_URL": iem_url,
        "KALSHI_BASE_URL": kalshi.base_url,
    }
    journal = tmp_path / "j.sqlite"
    args = [sys.executable, "-m", "trader", "--once", "--export", str(_export(tmp_path))]
    rng = random.Random(20261201)
    kills = 0
    for _ in range(8):
        process = subprocess.Popen(
            [*args, "--journal", str(journal)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 2.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
    final = _run(
        ["--once", "--export", str(_export(tmp_path)), "--journal", str(journal)], env, tmp_path
    )
    assert final.returncode == 0, final.stdout + final.stderr
    assert kills >= 3, "most runs were killed mid-way"
    db = sqlite3.connect(journal)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orders = db.execute("SELECT dedup_key, status FROM orders").fetchall()
        assert len(orders) == 1
        fills = db.execute("SELECT fill_id, count FROM fills").fetchall()
        assert len({f[0] for f in fills}) == len(fills)
        # filled (16 at 0.60), or rejected when a kill fell between intent and execution
        assert (orders[0][1], sum(Decimal(f[1]) for f in fills)) in {
            ("filled", Decimal(16)),
            ("rejected", Decimal(0)),
        }
    finally:
        db.close()
