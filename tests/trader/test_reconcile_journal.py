"""The journal's schema version 2: the ``broker`` of every order and ``reconciliation_events``,
and the migration of a version-1 journal."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain.brackets import Bracket
from domain.orders import OrderIntent
from trader.journal import Journal, JournalError
from trader.journal_events import EventKind, reconciliation_events, record_event

NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


def _intent(contract: str = "HIGH") -> OrderIntent:
    return OrderIntent(
        date(2026, 11, 24), "KNYC", contract, "KXHIGHNY-26NOV24-B77.5", Bracket(77, 78), 16,
        Decimal("0.60"), NOW,
    )  # fmt: skip


def _as_version_1(path: Path) -> None:
    """Turn a fresh journal into what version 1 wrote: no broker column, no events table."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE reconciliation_events")
        db.execute("ALTER TABLE orders DROP COLUMN broker")
        db.execute("PRAGMA user_version=1")


def test_a_version_1_journal_is_migrated_and_its_orders_were_paper(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    _as_version_1(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO orders (dedup_key, client_order_id, station_icao, contract_type, "
            "climate_date, market_ticker, side, action, count, limit_price, status, created_at, "
            "updated_at) VALUES ('2026-11-23_KNYC_HIGH', 'kw-2026-11-23_KNYC_HIGH', 'KNYC', "
            "'HIGH', '2026-11-23', 'KXHIGHNY-26NOV23-B77.5', 'yes', 'buy', 16, '0.60', "
            "'rejected', ?, ?)",
            (NOW.isoformat(), NOW.isoformat()),
        )
    with Journal(path) as journal:
        (old,) = journal.orders()
        assert old.broker == "paper"
        live = journal.record_intent(_intent(), "live")
        assert live.broker == "live"
        assert record_event(journal, NOW, EventKind.ADOPTED, "adopted", client_order_id="x")
        assert journal.query("PRAGMA user_version")[0][0] == 2
    with Journal(path) as journal:  # reopening a version-2 journal changes nothing
        assert [o.broker for o in journal.orders()] == ["paper", "live"]


def test_the_broker_column_refuses_anything_but_paper_or_live(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite") as journal:
        with pytest.raises(ValueError, match="broker"):
            journal.record_intent(_intent(), "simulated")
        journal.record_intent(_intent(), "paper")
        with pytest.raises(JournalError, match="CHECK"):
            journal.write("UPDATE orders SET broker = 'other'", ())


def test_reconciliation_events_read_back_in_order_and_once_when_asked(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite") as journal:
        first = record_event(journal, NOW, EventKind.FOREIGN, "order o1", market_ticker="T")
        again = record_event(
            journal, NOW, EventKind.FOREIGN, "order o1", market_ticker="T", once=True
        )
        other = record_event(journal, NOW, EventKind.MISSING, "gone", client_order_id="kw-a")
        assert first is not None and again is None and other is not None
        events = reconciliation_events(journal)
        assert [(e.kind, e.detail) for e in events] == [
            (EventKind.FOREIGN, "order o1"),
            (EventKind.MISSING, "gone"),
        ]
        assert [e.event_id for e in reconciliation_events(journal, after=first)] == [other]
        assert reconciliation_events(journal, kind=EventKind.MISSING)[0].client_order_id == "kw-a"
