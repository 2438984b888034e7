"""The trader marts: empty without a journal, then a journal's P&L beside the backtest's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.trader.runner import load_journal
from tests.conftest import query_rows, run_dbt
from tests.pipelines.trader.journals import TRADES, expected_pnl, write_journal

pytestmark = pytest.mark.dbt

TRADER_MODELS = ["staging.trader+"]
CENT4 = Decimal("0.0001")


def _build(warehouse: Path, work: Path) -> None:
    result = run_dbt(["build", "--select", *TRADER_MODELS], warehouse, work)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _backtest(warehouse: Path, station: str, contract: str) -> tuple[Decimal, float]:
    """P&L per executed test trade and win rate of the sample's backtest, computed here."""
    rows = query_rows(
        warehouse,
        "select pnl_dollars, is_win from main.fct_backtest_trades where is_executed and "
        f"data_source = 'simulated' and station_icao = '{station}' "
        f"and contract_type = '{contract}'",
    )
    assert rows, "the sample backtest trades this station-contract"
    pnl = sum((Decimal(r["pnl_dollars"]) for r in rows), Decimal(0))
    return (pnl / len(rows)).quantize(CENT4), sum(r["is_win"] for r in rows) / len(rows)


def test_trader_marts_without_and_with_journals(
    sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    warehouse = sample_warehouse_copy
    # the sample never loaded a journal: the models still build, empty
    empty = run_dbt(["run", "--select", *TRADER_MODELS], warehouse, tmp_path)
    assert empty.returncode == 0, empty.stdout[-4000:]
    assert query_rows(warehouse, "select count(*) as n from main.fct_trader_orders") == [{"n": 0}]

    write_journal(tmp_path / "replay.sqlite")
    write_journal(tmp_path / "paper.sqlite")
    load_journal(tmp_path / "replay.sqlite", data_source="simulated")
    load_journal(tmp_path / "paper.sqlite")  # real: no simulated backtest may be its expectation
    _build(warehouse, tmp_path)

    orders = query_rows(
        warehouse,
        "select * from main.fct_trader_orders where journal_id = 'replay' order by created_at",
    )
    assert [o["station_icao"] + o["contract_type"] for o in orders] == [
        t.station + t.contract for t in TRADES
    ]
    for order, trade in zip(orders, TRADES, strict=True):
        cost = sum((c * Decimal(p) for c, p, _ in trade.fills), Decimal(0))
        fees = sum((Decimal(f) for _, _, f in trade.fills), Decimal(0))
        assert order["broker"] == trade.broker
        assert order["filled_contract_count"] == sum(c for c, _, _ in trade.fills)
        assert (order["cost_dollars"], order["fee_dollars"]) == (cost, fees)
        assert order["is_filled"] is bool(trade.fills)
        if trade.won is None:
            assert order["pnl_dollars"] is None and order["is_win"] is None
        else:
            assert order["pnl_dollars"] == expected_pnl(trade)
            assert order["is_win"] is trade.won
    assert [o["pnl_dollars"] for o in orders[:2]] == [Decimal("4.2870"), Decimal("-1.5735")]

    days = {
        (d["journal_id"], d["station_icao"], d["contract_type"], str(d["climate_date"])): d
        for d in query_rows(warehouse, "select * from main.fct_trader_daily")
    }
    assert len(days) == 2 * len(TRADES)
    win = days[("replay", "KMDW", "HIGH", "2025-03-10")]
    assert (win["trade_count"], win["settled_trade_count"], win["win_count"]) == (1, 1, 1)
    assert win["win_rate"] == 1.0 and win["pnl_dollars"] == Decimal("4.2870")
    # the sample's backtest never traded KMDW HIGH: nothing to expect
    assert (win["backtest_verdict"], win["backtest_trade_count"]) == ("KILL", 0)
    assert win["expected_pnl_dollars"] is None and win["pnl_vs_expected_dollars"] is None
    loss = days[("replay", "KNYC", "LOW", "2025-03-10")]
    per_trade, win_rate = _backtest(warehouse, "KNYC", "LOW")
    assert loss["broker"] == "live" and win["broker"] == "paper"
    assert loss["win_rate"] == 0.0 and loss["pnl_dollars"] == Decimal("-1.5735")
    assert loss["backtest_pnl_per_trade_dollars"] == per_trade
    assert loss["backtest_win_rate"] == pytest.approx(win_rate)
    assert loss["expected_pnl_dollars"] == per_trade  # one settled trade
    assert loss["pnl_vs_expected_dollars"] == Decimal("-1.5735") - per_trade
    rejected = days[("replay", "KMDW", "LOW", "2025-03-11")]
    assert (rejected["order_count"], rejected["trade_count"], rejected["pnl_dollars"]) == (
        1,
        0,
        None,
    )
    # the real journal's rows have no expectation: the warehouse's backtest is simulated
    real = [d for (journal, *_), d in days.items() if journal == "paper"]
    assert {d["data_source"] for d in real} == {"real"}
    assert all(d["backtest_trade_count"] == 0 and d["expected_pnl_dollars"] is None for d in real)
