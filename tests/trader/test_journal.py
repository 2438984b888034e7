"""The journal: WAL, exact money, one order per key across restarts and kills, fills once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.brackets import Bracket
from domain.decision import Decision
from domain.orders import Fill, OrderIntent, OrderStatus, client_order_id, dedup_key
from domain.running_extreme import RunningExtreme
from tests.conftest import REPO_ROOT
from trader.breakers import BreakerEvent
from trader.journal import DuplicateOrderError, Journal, JournalError
from trader.journal_state import (
    SettlementRecord,
    breaker_events,
    decision_count,
    last_heartbeat,
    load_running_extreme,
    record_breaker_event,
    record_decision,
    record_heartbeat,
    record_settlement,
    save_running_extreme,
    settlements,
)

NOW = datetime(2026, 2, 19, 19, 5, tzinfo=UTC)
DAY = date(2026, 2, 19)


def _intent(station: str = "KMIA", contract: str = "HIGH", count: int = 10) -> OrderIntent:
    return OrderIntent(
        climate_date=DAY,
        station_icao=station,
        contract_type=contract,
        market_ticker="KXHIGHMIA-26FEB19-B80.5",
        bracket=Bracket(80, 81),
        count=count,
        limit_price=Decimal("0.8500"),
        created_at=NOW,
    )


def _fill(fill_id: str, count: str, cid: str | None = None) -> Fill:
    return Fill(
        fill_id=fill_id,
        client_order_id=cid or _intent().client_order_id,
        market_ticker="KXHIGHMIA-26FEB19-B80.5",
        count=Decimal(count),
        price=Decimal("0.8400"),
        fee=Decimal("0.10"),
        filled_at=NOW,
    )


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "trader" / "journal.sqlite")


def test_opens_in_wal_mode_with_every_table(journal: Journal, tmp_path: Path) -> None:
    assert journal.query("PRAGMA journal_mode")[0][0] == "wal"
    tables = {row[0] for row in journal.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "decisions",
        "orders",
        "fills",
        "settlements",
        "breaker_events",
        "heartbeats",
        "running_extremes",
    } <= tables
    assert (tmp_path / "trader" / "journal.sqlite").exists()


def test_dedup_key_and_client_order_id_are_deterministic() -> None:
    key = dedup_key(DAY, "kmia", "high")
    assert key == "2026-02-19_KMIA_HIGH"
    assert client_order_id(key) == "kw-2026-02-19_KMIA_HIGH" == client_order_id(key)
    long_key = "x" * 80
    hashed = client_order_id(long_key)
    assert len(hashed) <= 64 and hashed == client_order_id(long_key)
    assert hashed != client_order_id("y" * 80)
    assert client_order_id("a b").startswith("kw-") and " " not in client_order_id("a b")
    with pytest.raises(ValueError):
        dedup_key(DAY, "KMIA", "MEDIUM")


def test_second_intent_for_a_key_is_refused_even_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as first:
        record = first.record_intent(_intent(count=10))
        assert record.status is OrderStatus.INTENT
        assert record.client_order_id == "kw-2026-02-19_KMIA_HIGH"
        with pytest.raises(DuplicateOrderError):
            first.record_intent(_intent(count=3))
    with Journal(path) as second:
        with pytest.raises(DuplicateOrderError):
            second.record_intent(_intent(count=3))
        second.record_intent(_intent(contract="LOW"))  # a different key is fine
        assert [o.dedup_key for o in second.orders(DAY)] == [
            "2026-02-19_KMIA_HIGH",
            "2026-02-19_KMIA_LOW",
        ]
        assert second.order_by_key("2026-02-19_KMIA_HIGH").count == 10  # type: ignore[union-attr]
        stored = second.order_by_key("2026-02-19_KMIA_HIGH")
        assert stored is not None and stored.bracket == Bracket(80, 81)


def test_money_is_stored_as_text_and_floats_are_refused(journal: Journal) -> None:
    journal.record_intent(_intent())
    assert journal.query("SELECT typeof(limit_price), limit_price FROM orders")[0][:] == (
        "text",
        "0.8500",
    )
    raw = sqlite3.connect(journal.path)
    try:
        for count in (1.5, "'1E+1'"):  # a REAL, or a decimal in exponent spelling
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                raw.execute(
                    "INSERT INTO fills VALUES ('f', 'kw-2026-02-19_KMIA_HIGH', 't', "
                    f"{count}, '0.5', '0.1', 1, 'x', 'x')"
                )
        raw.execute(
            "INSERT INTO fills VALUES ('f', 'kw-2026-02-19_KMIA_HIGH', 't', '1.00', '0.5', '0.1', "
            "1, 'x', 'x')"
        )  # the same row with a decimal string is accepted
    finally:
        raw.close()
    with pytest.raises(TypeError):
        OrderIntent(DAY, "KMIA", "HIGH", "T", Bracket(1, 2), 1, 0.85, NOW)  # type: ignore[arg-type]


def test_status_transitions_are_checked(journal: Journal) -> None:
    cid = journal.record_intent(_intent()).client_order_id
    sent = journal.set_status(cid, OrderStatus.SENT, NOW, venue_order_id="paper-1")
    assert sent.status is OrderStatus.SENT and sent.venue_order_id == "paper-1"
    journal.set_status(cid, OrderStatus.REJECTED, NOW, reason="book moved")
    with pytest.raises(JournalError, match="not allowed"):
        journal.set_status(cid, OrderStatus.SENT, NOW)
    assert journal.order_by_client_id(cid).status_reason == "book moved"  # type: ignore[union-attr]
    with pytest.raises(JournalError, match="no order"):
        journal.set_status("kw-nope", OrderStatus.SENT, NOW)


def test_fills_roll_status_forward_once_and_never_overfill(journal: Journal) -> None:
    cid = journal.record_intent(_intent(count=10)).client_order_id
    journal.set_status(cid, OrderStatus.SENT, NOW)
    assert journal.record_fill(_fill("f1", "4"), NOW) is True
    assert journal.order_by_client_id(cid).status is OrderStatus.PARTIAL  # type: ignore[union-attr]
    assert journal.record_fill(_fill("f1", "4"), NOW) is False  # replayed read: ignored
    with pytest.raises(JournalError, match="differs"):
        journal.record_fill(_fill("f1", "5"), NOW)
    with pytest.raises(JournalError, match="overfills"):
        journal.record_fill(_fill("f2", "7"), NOW)
    assert journal.record_fill(_fill("f2", "6"), NOW) is True
    assert journal.order_by_client_id(cid).status is OrderStatus.FILLED  # type: ignore[union-attr]
    assert [f.fill_id for f in journal.fills(cid)] == ["f1", "f2"]
    assert sum(f.count for f in journal.fills()) == Decimal(10)
    with pytest.raises(JournalError, match="unknown order"):
        journal.record_fill(_fill("f3", "1", cid="kw-other"), NOW)


def test_decisions_settlements_breakers_heartbeats_and_extremes(journal: Journal) -> None:
    decision = Decision(
        action="NO_TRADE",
        reason_code="stale_observation",
        reason="obs 31 min old",
        station_icao="KMIA",
        contract_type="HIGH",
        climate_date=DAY,
        checkpoint_minute=840,
        rule="design",
        price=Decimal("0.91"),
    )
    record_decision(
        journal,
        decision,
        decided_at=NOW,
        verdict="GO",
        running_extreme_f=81,
        observation_age_minutes=Decimal("31.5"),
    )
    assert decision_count(journal, DAY) == 1 and decision_count(journal, date(2026, 1, 1)) == 0
    row = journal.query("SELECT price, fee, observation_age_minutes FROM decisions")[0]
    assert tuple(row) == ("0.91", "0", "31.5")

    cid = journal.record_intent(_intent()).client_order_id
    settled = SettlementRecord(cid, "T", "yes", 81, 81, False, Decimal("1.40"), DAY, NOW)
    assert record_settlement(journal, settled) is True
    assert record_settlement(journal, settled) is False
    with pytest.raises(JournalError):
        record_settlement(
            journal, SettlementRecord(cid, "T", "no", 81, 81, False, Decimal("-8"), DAY, NOW)
        )
    assert settlements(journal) == [settled]

    event = BreakerEvent(NOW, "venue_backoff", "kalshi", "ok", "backoff", "HTTP 429", NOW)
    record_breaker_event(journal, event)
    assert breaker_events(journal) == [event]

    assert last_heartbeat(journal) is None
    record_heartbeat(journal, NOW, "tick", "7 stations")
    record_heartbeat(journal, NOW + timedelta(minutes=5), "tick", "7 stations")
    assert last_heartbeat(journal) == (NOW + timedelta(minutes=5), "tick", "7 stations")

    newer = RunningExtreme("KMIA", DAY, NOW, 81, 70, Decimal("81.14"), Decimal("69.8"), 40, NOW)
    older = RunningExtreme("KMIA", DAY, NOW - timedelta(hours=1), 79, 70, None, None, 30, None)
    save_running_extreme(journal, newer)
    save_running_extreme(journal, older)  # an older as_of never overwrites a newer one
    assert load_running_extreme(journal, "KMIA", DAY) == newer
    assert load_running_extreme(journal, "KNYC", DAY) is None


def test_locked_journal_is_unwritable(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path, busy_timeout_ms=50)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(JournalError, match="not writable"):
            journal.record_intent(_intent())
    finally:
        other.execute("ROLLBACK")
        other.close()
    journal.record_intent(_intent())  # writable again once the lock is gone


def test_journal_path_that_cannot_exist_is_a_journal_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(JournalError, match="cannot open journal"):
        Journal(blocker / "journal.sqlite")


_KILL_AFTER_INTENT = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import UTC, date, datetime
    from decimal import Decimal
    from domain.brackets import Bracket
    from trader.journal import Journal
    from domain.orders import OrderIntent
    journal = Journal(sys.argv[1])
    journal.record_intent(OrderIntent(date(2026, 2, 19), "KMIA", "HIGH", "T", Bracket(80, 81), 10,
                                      Decimal("0.85"), datetime.now(UTC)))
    os.kill(os.getpid(), signal.SIGKILL)
    """
)

_WRITE_FOREVER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, date, datetime, timedelta
    from decimal import Decimal
    from domain.brackets import Bracket
    from trader.journal import DuplicateOrderError, Journal
    from domain.orders import Fill, OrderIntent, OrderStatus
    journal = Journal(sys.argv[1])
    day = date(2026, 1, 1)
    print("ready", flush=True)
    while True:
        intent = OrderIntent(day, "KNYC", "HIGH", "T", Bracket(None, 70), 3, Decimal("0.50"), datetime.now(UTC))
        try:
            cid = journal.record_intent(intent).client_order_id
        except DuplicateOrderError:
            day += timedelta(days=1)
            continue
        journal.set_status(cid, OrderStatus.SENT, datetime.now(UTC))
        for n in range(3):
            journal.record_fill(Fill(f"{cid}-{n}", cid, "T", Decimal(1), Decimal("0.50"),
                                     Decimal("0.01"), datetime.now(UTC)), datetime.now(UTC))
        day += timedelta(days=1)
    """
)


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )


def test_intent_survives_kill_9_and_blocks_a_second_order(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    process = _python(_KILL_AFTER_INTENT, str(path))
    assert process.wait(timeout=60) == -signal.SIGKILL
    with Journal(path) as journal:
        assert [o.status for o in journal.orders()] == [OrderStatus.INTENT]
        with pytest.raises(DuplicateOrderError):
            journal.record_intent(_intent())


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31, 0.5])
def test_kill_9_mid_writes_leaves_a_consistent_journal(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "j.sqlite"
    process = _python(_WRITE_FOREVER, str(path))
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with Journal(path) as journal:
        assert journal.query("PRAGMA integrity_check")[0][0] == "ok"
        orders = journal.orders()
        fills = journal.fills()
        assert orders, "the writer had time to journal something"
        assert len({o.dedup_key for o in orders}) == len(orders)
        for order in orders:
            filled = sum(f.count for f in fills if f.client_order_id == order.client_order_id)
            # the status always agrees with the fills journaled beside it
            expected = {0: {OrderStatus.INTENT, OrderStatus.SENT}, 3: {OrderStatus.FILLED}}
            assert order.status in expected.get(int(filled), {OrderStatus.PARTIAL})
