"""No network: a host that refuses connections stops its source fast; the other source runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from adapters.circuit import CircuitTransport, HostUnreachableError
from tests.conftest import REPO_ROOT
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_server import FakeKalshi, fake_kalshi, make_key_pair

# The bound for a live load with all seven stations unreachable.
MAX_SECONDS = 60.0


@pytest.fixture
def dead_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def kalshi() -> Iterator[FakeKalshi]:
    """A fake Kalshi with no markets: every listing the live load makes answers empty."""
    with fake_kalshi(make_key_pair()[0].public_key()) as server:
        server.require_signature = False
        cutoff = "2026-01-01T00:00:00Z"
        server.route(
            "/historical/cutoff",
            {"market_settled_ts": cutoff, "trades_created_ts": cutoff, "orders_updated_ts": cutoff},
        )
        for path, key in (
            ("/events", "events"),
            ("/markets", "markets"),
            ("/historical/markets", "markets"),
        ):
            server.route(path, {key: [], "cursor": ""})
        yield server


def test_circuit_opens_after_three_connection_failures_in_a_row(dead_url: str) -> None:
    with httpx.Client(transport=CircuitTransport(threshold=3)) as client:
        for _ in range(2):
            with pytest.raises(httpx.ConnectError):
                client.get(f"{dead_url}/x")
        with pytest.raises(HostUnreachableError, match="3 connection failures in a row"):
            client.get(f"{dead_url}/x")
        began = time.perf_counter()
        with pytest.raises(HostUnreachableError, match="127.0.0.1"):
            client.get(f"{dead_url}/y")  # open: refused without a connection attempt
        assert time.perf_counter() - began < 0.05


def test_http_errors_never_open_the_circuit_and_hosts_are_counted_apart(dead_url: str) -> None:
    iem = FakeIem()
    live = iem.start()
    try:
        with httpx.Client(transport=CircuitTransport(threshold=2)) as client:
            for _ in range(5):  # a 404 is an answer: the host is there
                assert client.get(f"{live}/no/such/path").status_code == 404
            with pytest.raises(httpx.ConnectError):
                client.get(f"{dead_url}/x")
            assert client.get(f"{live}/no/such/path").status_code == 404
            with pytest.raises(HostUnreachableError):
                client.get(f"{dead_url}/x")
            assert client.get(f"{live}/no/such/path").status_code == 404  # still reachable
    finally:
        iem.stop()


def _live_load(warehouse: Path, iem_url: str, kalshi_url: str) -> tuple[int, str, float]:
    """``run --source live`` for all seven stations and one day: (exit status, output, seconds)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KALSHI_API_KEY_ID", "KALSHI_PRIVATE_KEY_PATH"}
    }
    env |= {
        "WAREHOUSE_PATH": str(warehouse),
        "IEM_BASE_URL": iem_url,
        "KALSHI_BASE_URL": kalshi_url,
        "COLUMNS": "250",
    }
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--source", "live"]
        + ["--start", "2026-11-20", "--end", "2026-11-20"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr, time.perf_counter() - began


def _stopped(output: str, source: str) -> list[str]:
    return [line for line in output.splitlines() if f"{source} live stopped" in line]


def test_live_load_with_iem_unreachable_stops_iem_and_still_loads_kalshi(
    dead_url: str, kalshi: FakeKalshi, tmp_path: Path
) -> None:
    wh = tmp_path / "wh" / "kalshi_weather.duckdb"

    status, output, seconds = _live_load(wh, dead_url, kalshi.base_url)

    assert seconds <= MAX_SECONDS, f"took {seconds:.0f} s\n{output}"
    assert status == 1, output
    assert "Traceback" not in output
    stopped = _stopped(output, "iem")
    assert len(stopped) == 1, output
    assert "unreachable: 3 connection failures in a row" in stopped[0]
    assert kalshi.requests_to("/markets"), "the Kalshi source never ran"
    with duckdb.connect(str(wh), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select schema_name from duckdb_schemas()").fetchall()
        }
        markers = con.execute("select count(*) from raw_meta.loads_in_progress").fetchone()
    assert "raw_kalshi" in schemas
    assert "raw_iem" not in schemas
    assert markers == (0,)  # the failed source still ended the load cleanly


def test_live_load_with_no_network_at_all_ends_within_the_bound(
    dead_url: str, tmp_path: Path
) -> None:
    status, output, seconds = _live_load(
        tmp_path / "wh" / "kalshi_weather.duckdb", dead_url, f"{dead_url}/trade-api/v2"
    )

    assert seconds <= MAX_SECONDS, f"took {seconds:.0f} s\n{output}"
    assert status == 1, output
    assert "Traceback" not in output
    assert len(_stopped(output, "iem")) == 1, output
    assert len(_stopped(output, "kalshi")) == 1, output
    assert "Connection refused" in _stopped(output, "kalshi")[0]
