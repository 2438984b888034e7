"""``python -m trader replay``: the live loop over a stored day agrees with ``fct_backtest_trades``.

Against the shared sample warehouse (``tests/conftest.py`` ``sample_warehouse``): every test-period day replayed with
``--compare-backtest`` semantics agrees on every decision, trades the same orders and makes the
same P&L; a changed backtest row is reported; a restarted replay resumes from its journal; the
CLI prints the closing line, and one clear line (no traceback) when it cannot replay.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from trader.cli import app
from trader.inputs import default_export_path
from trader.journal import Journal
from trader.replay import ReplayConfig, ReplayResult, run_replay
from trader.replay_compare import JournaledDecision, compare, journaled_decisions

pytestmark = pytest.mark.dbt

runner = CliRunner()


def _config(warehouse: Path, journal: Path, day: date, as_backtest: bool = True) -> ReplayConfig:
    return ReplayConfig(
        day=day,
        warehouse=warehouse,
        export=default_export_path(simulated=True, warehouse=warehouse),
        journal=journal,
        simulated=True,
        as_backtest=as_backtest,
    )


def _test_days(warehouse: Path) -> list[date]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select distinct climate_date from int_thresholds_engine_inputs "
            "where sample_period = 'test' order by 1"
        ).fetchall()
    finally:
        con.close()
    return [row[0] for row in rows]


def _replayed(
    warehouse: Path, journal: Path, day: date
) -> tuple[ReplayResult, list[JournaledDecision]]:
    result = run_replay(_config(warehouse, journal, day))
    with Journal(journal) as j:
        return result, journaled_decisions(j, day)


def test_every_test_day_agrees_with_the_backtest(
    replay_warehouse: Path,
    tmp_path: Path,
) -> None:
    days = _test_days(replay_warehouse)
    assert len(days) >= 4
    trades = 0
    for day in days:
        result, decisions = _replayed(replay_warehouse, tmp_path / f"{day}.sqlite", day)
        comparison = compare(decisions, result.backtest)
        assert comparison.agreeing == comparison.total, comparison.mismatches
        assert comparison.total >= 95, "every checkpoint of the day is a decision"
        executed = {
            (t.station_icao, t.contract_type): (
                t.market_ticker,
                t.contract_count,
                t.yes_ask_dollars,
                t.pnl_dollars,
            )
            for t in result.backtest
            if t.is_executed
        }
        pnl = {s.client_order_id: s.pnl for s in result.settlements}
        ordered = {
            (o.station_icao, o.contract_type): (
                o.market_ticker,
                o.count,
                o.limit_price,
                pnl[o.client_order_id].quantize(Decimal("0.01")),
            )
            for o in result.orders
        }
        assert ordered == executed
        assert all(o.status == "filled" for o in result.orders)
        trades += len(ordered)
    assert trades >= 5, "the comparison covers real trades"


def test_a_changed_backtest_decision_is_a_mismatch(
    replay_warehouse: Path,
    tmp_path: Path,
) -> None:
    day = _test_days(replay_warehouse)[0]
    result, decisions = _replayed(replay_warehouse, tmp_path / "j.sqlite", day)
    trade = next(t for t in result.backtest if t.is_executed)
    dearer = replace(trade, yes_ask_dollars=(trade.yes_ask_dollars or Decimal(0)) + Decimal("0.01"))
    others = tuple(t for t in result.backtest if t is not trade)
    changed = compare(decisions, (*others, dearer))
    assert changed.agreeing == changed.total - 1
    assert str(trade.market_ticker) in changed.mismatches[0]
    never = compare(decisions, others)
    assert never.agreeing == never.total - 1
    assert "the backtest never trades this day" in never.mismatches[0]
    later = compare(decisions, (*others, replace(trade, checkpoint_minute=1425)))
    assert later.agreeing == later.total - 2  # bought earlier, and nothing bought at 1425
    assert "earlier than the backtest" in later.mismatches[0]


def test_a_second_run_resumes_from_its_journal(
    replay_warehouse: Path,
    tmp_path: Path,
) -> None:
    day = _test_days(replay_warehouse)[1]
    journal = tmp_path / "j.sqlite"
    first = run_replay(_config(replay_warehouse, journal, day))
    again = run_replay(_config(replay_warehouse, journal, day))
    assert first.resumed_at is None and again.resumed_at is not None
    assert again.ticks < first.ticks
    assert again.orders == first.orders and again.settlements == first.settlements
    with Journal(journal) as j:
        comparison = compare(journaled_decisions(j, day), again.backtest)
    assert comparison.agreeing == comparison.total


def test_real_verdicts_trade_go_rows_only(
    replay_warehouse: Path,
    tmp_path: Path,
) -> None:
    day = _test_days(replay_warehouse)[0]
    journal = tmp_path / "j.sqlite"
    result = run_replay(_config(replay_warehouse, journal, day, as_backtest=False))
    with Journal(journal) as j:
        verdicts = {
            (row["station_icao"], row["contract_type"]): row["verdict"]
            for row in j.query("SELECT station_icao, contract_type, verdict FROM decisions")
        }
        kill_codes = {
            row["reason_code"]
            for row in j.query("SELECT reason_code FROM decisions WHERE verdict = 'KILL'")
        }
    assert all(verdicts[(o.station_icao, o.contract_type)] == "GO" for o in result.orders)
    if "KILL" in verdicts.values():
        assert kill_codes == {"verdict_kill"}
    assert result.scope == "data_source"


def test_cli_prints_the_trades_and_the_agreement_line(
    replay_warehouse: Path,
    tmp_path: Path,
) -> None:
    out = runner.invoke(
        app,
        [
            "replay",
            "--simulated",
            "--compare-backtest",
            "--warehouse",
            str(replay_warehouse),
            "--journal",
            str(tmp_path / "j.sqlite"),
        ],
    )
    assert out.exit_code == 0, out.output
    last = out.output.strip().splitlines()[-1]
    assert last.startswith("decisions agreeing with the backtest: ")
    agreeing, total = last.split(": ")[1].split(" of ")
    assert agreeing == total and int(total) > 0
    assert "P&L $" in out.output and "backtest" in out.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2024-01-01"], "no simulated observations for 2024-01-01"),
        (["--date", "2025-13-01"], "is not YYYY-MM-DD"),
        (["--station", "KXXX"], "KXXX"),
        (["--date", "2025-03-02", "--compare-backtest"], "outside the backtest's test period"),
    ],
)
def test_cli_without_data_says_so_in_one_line(
    replay_warehouse: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    out = runner.invoke(
        app,
        [
            "replay",
            "--simulated",
            "--warehouse",
            str(replay_warehouse),
            "--journal",
            str(tmp_path / "j.sqlite"),
            *args,
        ],
    )
    assert out.exit_code == 2, out.output
    assert message in out.output
    assert "Traceback" not in out.output
    assert isinstance(out.exception, SystemExit)
