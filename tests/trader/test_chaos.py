"""kill -9 chaos: a replayed simulated day killed at random points, restarted each time.

The replay (``python -m trader replay --compare-backtest``) runs as its own process against the
shared sample warehouse. It is killed with SIGKILL ``KILLS`` times at seeded random points of its
progress (a number of journaled ticks, plus a random sub-tick delay, so kills land inside ticks,
inside order executions and during start-up), restarted after each kill, and left to finish.
Then: no duplicate ``dedup_key`` or ``client_order_id``, every fill recorded once, and orders,
fills and settlements equal to an uninterrupted run's (ids of journal rows and timestamps of
process events excluded: decisions and heartbeats are re-journaled by a restarted tick).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from trader.replay_backtest import busiest_test_day

pytestmark = pytest.mark.dbt

SEED = 20261201
KILLS = 20
STATION = "KNYC"
ORDER_COLUMNS = (
    "dedup_key, client_order_id, station_icao, contract_type, climate_date, market_ticker, "
    "bracket_lower, bracket_upper, count, limit_price, status, status_reason, created_at, "
    "updated_at"
)


def _command(warehouse: Path, journal: Path, day: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "trader",
        "replay",
        "--date",
        day,
        "--station",
        STATION,
        "--simulated",
        "--compare-backtest",
        "--warehouse",
        str(warehouse),
        "--journal",
        str(journal),
    ]


def _ticks(journal: Path) -> int:
    """Ticks journaled so far (0 before the journal exists or has its tables)."""
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(journal, timeout=0.05) as db:
            row = db.execute("SELECT count(*) FROM heartbeats WHERE kind = 'tick'").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


def _rows(journal: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(journal) as db:
        return list(db.execute(sql))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}


def test_kill_9_at_random_points_leaves_the_uninterrupted_journal(
    replay_warehouse: Path,
    tmp_path: Path,
) -> None:
    day = busiest_test_day(replay_warehouse, "simulated", (STATION,)).isoformat()
    calm = tmp_path / "calm.sqlite"
    done = subprocess.run(
        _command(replay_warehouse, calm, day),
        cwd=REPO_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    total = _ticks(calm)
    assert total > KILLS + 20

    rng = random.Random(SEED)
    targets = sorted(rng.sample(range(0, total - 10), KILLS))
    chaos = tmp_path / "chaos.sqlite"
    kills = 0
    for target in targets:
        process = subprocess.Popen(
            _command(replay_warehouse, chaos, day),
            cwd=REPO_ROOT,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and _ticks(chaos) < target:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.004))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    final = subprocess.run(
        _command(replay_warehouse, chaos, day),
        cwd=REPO_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]
    assert "resumed at" in final.stdout
    assert kills >= KILLS

    for table_sql in (
        f"SELECT {ORDER_COLUMNS} FROM orders ORDER BY dedup_key",
        "SELECT * FROM fills ORDER BY fill_id",
        "SELECT * FROM settlements ORDER BY client_order_id",
    ):
        assert _rows(chaos, table_sql) == _rows(calm, table_sql), table_sql
    orders = _rows(chaos, "SELECT dedup_key, client_order_id FROM orders")
    assert orders, "the day trades: the comparison is not vacuous"
    assert len({o[0] for o in orders}) == len({o[1] for o in orders}) == len(orders)
    fills = _rows(chaos, "SELECT fill_id FROM fills")
    assert fills and len(set(fills)) == len(fills)
    # Every fill once: the filled contracts are exactly each order's count.
    per_order = _rows(
        chaos,
        "SELECT o.count, sum(CAST(f.count AS INTEGER)) FROM orders AS o "
        "JOIN fills AS f USING (client_order_id) GROUP BY o.client_order_id",
    )
    assert all(count == filled for count, filled in per_order)
    assert len(_rows(chaos, "SELECT * FROM settlements")) == len(orders)
