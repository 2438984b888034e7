"""Shared pieces of the alert-feed tests: a fake Discord, a journal, a filled order, and a
"restarted trader" run over some ticks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.brackets import Bracket
from domain.decision import Decision
from domain.orders import Fill, OrderIntent
from tests.fakes.discord_server import WEBHOOK_PATH, FakeDiscord
from trader.alert_feed import JournalAlerts
from trader.alerts import Notifier
from trader.journal import Journal
from trader.journal_state import record_decision
from trader.loop import TickReport

DAY = date(2026, 8, 21)
TRADED_AT = datetime(2026, 8, 21, 20, 10, tzinfo=UTC)  # 16:10 EDT
BEFORE_HEARTBEAT = datetime(2026, 8, 21, 11, 59, tzinfo=UTC)  # 07:59 EDT


@pytest.fixture(name="discord")
def discord_fixture() -> Iterator[FakeDiscord]:
    """A fake webhook without pacing limits (pacing is tested in ``test_alerts``)."""
    fake = FakeDiscord(limit=100)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(name="journal")
def journal_fixture(tmp_path: Path) -> Iterator[Journal]:
    """A fresh journal file."""
    with Journal(tmp_path / "journal.sqlite") as journal:
        yield journal


def webhook_url(discord: FakeDiscord) -> str:
    """The fake's webhook URL."""
    assert discord._server is not None
    host, port = discord._server.server_address[:2]
    return f"http://{host!s}:{port}{WEBHOOK_PATH}"


def run_feed(
    journal: Journal, discord: FakeDiscord, *ticks: datetime, heartbeat: str = "off"
) -> list[dict[str, Any]]:
    """A fresh feed (a restarted trader) over ``ticks``; returns the embeds delivered."""
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": heartbeat})
    feed = JournalAlerts(journal, notifier, ticks[0])
    for at in ticks:
        feed.after_tick(TickReport(at), at)
    assert notifier.close(timeout=5) == 0
    embeds = [body["embeds"][0] for body in discord.received]
    discord.received.clear()
    return embeds


def titles(embeds: list[dict[str, Any]]) -> list[str]:
    """The embeds' titles."""
    return [e["title"] for e in embeds]


def filled_order(journal: Journal) -> str:
    """Journal a decided, fully filled KNYC HIGH order of ``DAY``; returns its client id."""
    decision = Decision(
        "BUY_YES",
        "trade",
        "p 0.95 - ask 0.90 - fee = edge 0.04",
        "KNYC",
        "HIGH",
        DAY,
        910,
        "design",
        market_ticker="KXHIGHNY-26AUG21-B79.5",
        price=Decimal("0.90"),
        count=10,
        fee=Decimal("0.07"),
        probability=Decimal("0.95"),
        expected_value_per_contract=Decimal("0.0430"),
    )
    decision_id = record_decision(
        journal,
        decision,
        decided_at=TRADED_AT,
        verdict="GO",
        running_extreme_f=79,
        observation_age_minutes=Decimal(12),
    )
    intent = OrderIntent(
        DAY,
        "KNYC",
        "HIGH",
        "KXHIGHNY-26AUG21-B79.5",
        Bracket(79, 80),
        10,
        Decimal("0.90"),
        TRADED_AT,
        decision_id,
    )
    order = journal.record_intent(intent)
    journal.record_fills(
        [
            Fill(
                f"{order.client_order_id}-0",
                order.client_order_id,
                intent.market_ticker,
                Decimal(10),
                Decimal("0.89"),
                Decimal("0.07"),
                TRADED_AT,
            )
        ],
        TRADED_AT,
    )
    return order.client_order_id
