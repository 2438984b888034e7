"""Recorder -> files -> raw_kalshi -> dbt: recorded books become minute books and orderbook
quotes, and no minute book is read through a gap window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.kalshi.signing import KalshiSigner
from adapters.kalshi.ws_types import StreamSettings
from pipelines.kalshi import runner
from pipelines.kalshi_ws.recorder import record
from tests.conftest import query_rows, run_dbt
from tests.fakes.kalshi_ws_server import FakeKalshiWs
from tests.pipelines.kalshi_ws import scenario
from tests.pipelines.kalshi_ws.conftest import ws_key_pair, ws_server, ws_signer  # noqa: F401


class StepClock:
    """A wall clock that moves 20 s per reading: the story spans many minutes, repeatably."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=20)
        return self.now


async def _no_sleep(delay: float) -> None:
    await asyncio.sleep(0)


@pytest.mark.dbt
def test_recorded_books_become_minute_quotes(
    ws_server: FakeKalshiWs,  # noqa: F811
    ws_signer: KalshiSigner,  # noqa: F811
    warehouse: Path,
    tmp_path: Path,
) -> None:
    scenario.install(ws_server)
    out = tmp_path / "rec"
    settings = StreamSettings(url=ws_server.url, relist_s=0.3, heartbeat_s=60)
    record(
        out,
        settings,
        ws_signer,
        scenario.Lister(ws_server),
        max_minutes=2 / 60,
        sleep=_no_sleep,
        clock=StepClock(),
    )
    runner.run_files(sorted(out.glob("*.jsonl.gz")))
    result = run_dbt(
        [
            "build",
            "--select",
            "+int_market_quotes",
            "--exclude",
            "source:*",
            "test_type:unit",
            "--indirect-selection",
            "cautious",
        ],
        warehouse,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    books = query_rows(
        warehouse, "select * from main.int_book_minutes order by market_ticker, minute_at"
    )
    markets = {b["market_ticker"] for b in books}
    assert {scenario.MARKET_A, scenario.MARKET_B} <= markets
    inside_gaps = query_rows(
        warehouse,
        """
        with windows as (
            select g.market_ticker, g.gap_started_at,
                (select min(s.received_at) from main.stg_kalshi__ws_orderbook_snapshots as s
                 where s.market_ticker = g.market_ticker and s.received_at > g.gap_started_at)
                    as gap_ended_at
            from main.stg_kalshi__ws_gaps as g
        )
        select count(*) as n from main.int_book_minutes as b
        inner join windows as w
            on b.market_ticker = w.market_ticker
            and b.minute_at > w.gap_started_at
            and b.minute_at < coalesce(w.gap_ended_at, 'infinity'::timestamptz)
        """,
    )
    assert inside_gaps[0]["n"] == 0
    quotes = query_rows(
        warehouse,
        "select count(*) as n from main.int_market_quotes where quote_source = 'orderbook'",
    )
    assert quotes[0]["n"] == len(books) > 0
    # B's last book (connection 3): YES bid 0.06, NO bid 0.90 grown by the delta to 12 contracts
    last_b = [b for b in books if b["market_ticker"] == scenario.MARKET_B][-1]
    assert str(last_b["best_yes_bid_dollars"]) == "0.0600"
    assert str(last_b["best_no_bid_size"]) == "12.00"
