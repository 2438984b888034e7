"""The trader-journal source: journals written by the trader's own code, loaded into raw_trader."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.decision import Decision
from pipelines.trader.runner import journal_id_of, load_journal
from pipelines.warehouse import LoadFailedError
from tests.conftest import query_rows
from tests.pipelines.trader.journals import TRADES, Trade, write_journal, write_trade
from trader.journal import Journal
from trader.journal_state import record_decision

TABLES = ("orders", "fills", "settlements", "decisions", "breaker_events")


def _counts(warehouse: Path) -> dict[str, int]:
    return {
        table: query_rows(warehouse, f"select count(*) as n from raw_trader.{table}")[0]["n"]
        for table in (*TABLES, "rejects", "journals")
    }


def _journal_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def test_a_journal_loads_once_however_often_it_is_loaded(warehouse: Path, tmp_path: Path) -> None:
    path = tmp_path / "paper.sqlite"
    ids = write_journal(path)
    first = load_journal(path)
    assert first.dataset == "raw_trader" and first.rejects_added == 0
    counts = _counts(warehouse)
    assert counts == {
        "orders": 4,
        "fills": 4,
        "settlements": 2,
        "decisions": 4,
        "breaker_events": 1,
        "rejects": 0,
        "journals": 1,
    }
    assert load_journal(path).table_rows == first.table_rows
    assert _counts(warehouse) == counts
    orders = query_rows(
        warehouse,
        "select journal_id, data_source, client_order_id, broker, limit_price, status "
        "from raw_trader.orders order by order_row_id",
    )
    assert [o["client_order_id"] for o in orders] == ids
    assert {(o["journal_id"], o["data_source"]) for o in orders} == {("paper", "real")}
    assert [o["broker"] for o in orders] == [t.broker for t in TRADES]
    # money stays exact decimal text as journaled
    assert [o["limit_price"] for o in orders] == [t.limit for t in TRADES]
    assert [o["status"] for o in orders] == ["filled", "filled", "rejected", "filled"]
    pnl = query_rows(warehouse, "select pnl from raw_trader.settlements order by journal_row_id")
    assert [p["pnl"] for p in pnl] == ["4.2870", "-1.5735"]
    # the trader goes on: a new trade (fills and settlement appended) is the only change
    late = Trade(
        "KMDW", "HIGH", TRADES[0].day + timedelta(days=2), "KXHIGHCHI-25MAR12-B50.5",
        TRADES[0].bracket, 2, "0.5000", ((2, "0.5000", "0.0350"),), True,
    )  # fmt: skip
    with Journal(path) as journal:
        write_trade(journal, late, datetime(2025, 3, 12, 20, tzinfo=UTC))
    load_journal(path)
    assert _journal_counts(path) == {t: _counts(warehouse)[t] for t in TABLES}
    assert _counts(warehouse)["fills"] == 5 and _counts(warehouse)["settlements"] == 3


def test_two_journals_with_the_same_order_ids_never_merge(warehouse: Path, tmp_path: Path) -> None:
    write_journal(tmp_path / "paper.sqlite")
    write_journal(tmp_path / "replay.sqlite")  # a replay of the same days: the same ids
    load_journal(tmp_path / "paper.sqlite")
    load_journal(tmp_path / "replay.sqlite", data_source="simulated")
    rows = query_rows(
        warehouse,
        "select journal_id, data_source, count(*) as n, count(distinct client_order_id) as ids "
        "from raw_trader.orders group by all order by 1",
    )
    assert rows == [
        {"journal_id": "paper", "data_source": "real", "n": 4, "ids": 4},
        {"journal_id": "replay", "data_source": "simulated", "n": 4, "ids": 4},
    ]
    assert _counts(warehouse)["decisions"] == 8


def test_a_different_journal_under_a_loaded_id_is_refused(warehouse: Path, tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    load_journal(path)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    write_journal(path, TRADES[1:])  # a fresh journal at the same path: its ids restart at 1
    with pytest.raises(LoadFailedError, match="not the journal loaded before as 'journal'"):
        load_journal(path)
    assert _counts(warehouse)["orders"] == 4  # nothing of it was merged
    load_journal(path, journal_id="Journal 2")
    assert query_rows(
        warehouse, "select journal_id, count(*) as n from raw_trader.orders group by 1 order by 1"
    ) == [{"journal_id": "journal", "n": 4}, {"journal_id": "journal_2", "n": 3}]


def test_a_rebuilt_warehouse_gets_every_row_again(warehouse: Path, tmp_path: Path) -> None:
    path = tmp_path / "paper.sqlite"
    write_journal(path)
    load_journal(path)
    counts = _counts(warehouse)
    warehouse.unlink()  # the dlt pipeline's local cursors stay beside it
    load_journal(path)
    assert _counts(warehouse) == counts


def test_a_value_that_does_not_parse_is_a_reject_not_a_crash(
    warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "paper.sqlite"
    ids = write_journal(path)
    with sqlite3.connect(path) as con:
        # digits, dots and minus only: the journal's own CHECK lets it through
        con.execute(
            "insert into fills values ('bad-fill', ?, 'KXHIGHCHI-25MAR10-B45.5', '1', "
            "'0.5.5', '0.0100', 1, '2025-03-10T21:00:00.000000+00:00', "
            "'2025-03-10T21:00:00.000000+00:00')",
            (ids[0],),
        )
    summary = load_journal(path)
    assert summary.rejects_added == 1
    rejects = query_rows(warehouse, "select source_name, reason, raw_text from raw_trader.rejects")
    assert len(rejects) == 1
    assert rejects[0]["source_name"] == "trader_fills"
    assert "bad-fill" in rejects[0]["reason"] and "price" in rejects[0]["reason"]
    assert '"price": "0.5.5"' in rejects[0]["raw_text"]
    fills = query_rows(warehouse, "select fill_id from raw_trader.fills")
    assert len(fills) == 4 and "bad-fill" not in {f["fill_id"] for f in fills}
    load_journal(path)
    assert _counts(warehouse)["rejects"] == 1  # the same reject, not a second one


def test_a_journal_being_written_loads_consistently(warehouse: Path, tmp_path: Path) -> None:
    path = tmp_path / "paper.sqlite"
    write_journal(path)
    stop = threading.Event()
    written: list[int] = []

    def trader() -> None:
        at = datetime(2025, 3, 12, 15, tzinfo=UTC)
        with Journal(path) as journal:
            while not stop.is_set() or len(written) < 50:
                decision = Decision(
                    "NO_TRADE", "no_signal", "quiet", "KMDW", "HIGH", at.date(), 900, "design"
                )
                written.append(
                    record_decision(
                        journal,
                        decision,
                        decided_at=at + timedelta(seconds=len(written)),
                        verdict="GO",
                        running_extreme_f=None,
                        observation_age_minutes=Decimal("2.5"),
                    )
                )

    writer = threading.Thread(target=trader)
    writer.start()
    try:
        while len(written) < 5:  # the trader is up and writing
            time.sleep(0.01)
        load_journal(path)  # while the trader writes
        during = _counts(warehouse)["decisions"]
    finally:
        stop.set()
        writer.join()
    # the load took one consistent snapshot: what the trader wrote meanwhile comes next time
    assert 4 + 5 <= during < 4 + len(written)
    load_journal(path)
    decisions = query_rows(
        warehouse,
        "select count(*) as n, count(distinct decision_id) as ids from raw_trader.decisions",
    )
    assert decisions == [{"n": 4 + len(written), "ids": 4 + len(written)}]
    with sqlite3.connect(path) as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_an_older_journal_without_broker_or_reconciliation_loads_as_paper(
    warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite"
    write_journal(path)
    with sqlite3.connect(path) as con:
        con.execute("drop table if exists reconciliation_events")
        con.execute("alter table orders drop column broker")
    summary = load_journal(path)
    assert any("no reconciliation_events" in note for note in summary.notes)
    brokers = query_rows(warehouse, "select distinct broker from raw_trader.orders")
    assert brokers == [{"broker": "paper"}]


def test_a_file_that_is_not_a_journal_fails_in_one_line(warehouse: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all\n" * 100)
    with pytest.raises(LoadFailedError, match="cannot read journal"):
        load_journal(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("create table t (x)")
    with pytest.raises(LoadFailedError, match="not a trader journal: no table"):
        load_journal(other)
    with pytest.raises(LoadFailedError, match="does not exist"):
        load_journal(tmp_path / "missing.sqlite")
    assert not warehouse.exists()


def test_journal_ids_are_slugs_of_the_name_given_or_the_file() -> None:
    assert journal_id_of(Path("warehouse/trader/journal.sqlite")) == "journal"
    assert journal_id_of(Path("x.sqlite"), "Replay 2025-03-10") == "replay_2025_03_10"
    with pytest.raises(LoadFailedError, match="journal id"):
        journal_id_of(Path("x.sqlite"), "???")
