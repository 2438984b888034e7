"""``python -m trader --live --env demo`` over a whole simulated day, against the fake exchange.

Real processes, real HTTP, the hidden test clock. The day orders each key once on the exchange,
journals every order with ``broker = 'live'`` and every fill the exchange made. After the CLI
settles the days (``python -m trader settle``) and the exchange settles one market otherwise, a
second run over the same span resumes from the journal, sends nothing, and its reconciliation
reports the ``settlement_mismatch``. A day whose order responses are lost (committed then
dropped, committed then 503, refused with 429) ends with each order read back or declared
missing, never resent.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.kalshi_exchange import make_key_pair
from tests.trader.live_world import (
    World,
    assert_journal_matches_exchange,
    journal_rows,
    live_world,
    market_tickers,
)


@pytest.fixture(scope="module")
def key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    return make_key_pair()


def _run(world: World, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        world.trader_command(*extra),
        env=world.env(),
        cwd=world.journal.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_whole_live_day_against_the_fake_exchange(
    tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    with live_world(tmp_path, key_pair) as world:
        first = _run(world)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "LIVE orders on demo" in first.stdout
        assert world.key_file.read_text() not in first.stdout + first.stderr
        assert "Traceback" not in first.stdout + first.stderr
        assert_journal_matches_exchange(world)
        orders = journal_rows(world.journal, "SELECT market_ticker, status, count FROM orders")
        assert sorted(orders) == sorted((t, "filled", 16) for t in market_tickers())
        assert len(world.exchange.fills()) == 4
        # Settlement: ours from the CLI (78 both ways: every bracket won), the exchange's own;
        # the exchange settling one market NO is a settlement_mismatch at the next pass.
        world.publish_cli(high=78, low=78)
        settled = subprocess.run(
            [*world.trader_command()[:3], "settle", "--journal", str(world.journal)],
            env=world.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert settled.returncode == 0 and "4 order(s) settled" in settled.stdout, settled.stdout
        for ticker in market_tickers():
            world.exchange.settle(ticker, "no" if ticker == market_tickers()[0] else "yes")
        again = _run(world)  # the same span again: resumes at the last tick, sends nothing
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert len(world.exchange.orders_received) == 4
        assert_journal_matches_exchange(world)
        mismatches = journal_rows(
            world.journal,
            "SELECT market_ticker, detail FROM reconciliation_events "
            "WHERE kind = 'settlement_mismatch'",
        )
        assert [m[0] for m in mismatches] == [market_tickers()[0]], mismatches
        assert "result ours yes, exchange no" in str(mismatches[0][1])


def test_lost_responses_are_read_back_never_resent(
    tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    with live_world(tmp_path, key_pair) as world:
        world.exchange.drop_orders(1)  # executes, then closes the connection
        world.exchange.fail_orders(503, commit=True)  # executes, then answers 503
        world.exchange.fail_orders(429)  # refused before execution
        world.exchange.lag_reads(reads=2)
        done = _run(world)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert_journal_matches_exchange(world)
        statuses = sorted(
            row[0] for row in journal_rows(world.journal, "SELECT status FROM orders")
        )
        # the 429'd order was never executed: declared missing after 3 reads, not resent
        assert statuses == ["filled", "filled", "filled", "rejected"], statuses
        kinds = [
            row[0] for row in journal_rows(world.journal, "SELECT kind FROM reconciliation_events")
        ]
        assert kinds.count("resolved") >= 2 and kinds.count("missing") == 1, kinds
