"""domain.backtest: engine-input rows grouped into ladders, replayed, reported per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.backtest import EngineRow, backtest
from domain.risk import RiskLimits

D = Decimal
DAY = date(2025, 8, 1)
OPEN = datetime(2025, 8, 1, 17, 0, tzinfo=UTC)  # 10:00 MST at KDEN: minute 600
BOOK = ("simulated", "KDEN", "HIGH")
RECORD = {
    "data_source": "simulated",
    "station_icao": "KDEN",
    "contract_type": "HIGH",
    "rule": "design",
    "window_start_minute": 600,
    "buffer_f": 0,
    "accuracy": D("0.9"),
    "min_edge": D("0"),
    "tier": "A",
    "verdict": "KILL",
}


def row(
    ticker: str,
    lower: int | None,
    upper: int | None,
    *,
    at: datetime = OPEN,
    result: str | None = "no",
    station: str = "KDEN",
) -> EngineRow:
    return EngineRow(
        data_source="simulated",
        station_icao=station,
        contract_type="HIGH",
        climate_date=DAY,
        checkpoint_minute=600 + (at - OPEN) // timedelta(minutes=1),
        market_ticker=ticker,
        checkpoint_at=at,
        running_extreme_f=50,
        observation_age_minutes=D("10"),
        bracket_lower=lower,
        bracket_upper=upper,
        headroom_f=None,
        yes_bid_dollars=D("0.48"),
        yes_ask_dollars=D("0.50"),
        model_probability=None,
        fee_type="quadratic",
        fee_multiplier=D("1"),
        result=result,
        settled_at=OPEN + timedelta(hours=15),
    )


def run(rows: list[EngineRow], scope: str = "station_contract") -> list:
    return backtest(rows, {BOOK: RECORD}, RiskLimits(), scope)


def test_one_ladder_per_checkpoint_and_one_row_per_day() -> None:
    later = OPEN + timedelta(minutes=15)
    rows = [
        row("B48.5", 48, 49),
        row("B50.5", 50, 51),
        row("T51", 52, None),
        row("B50.5", 50, 51, at=later),
        row("B50.5", 50, 51, station="KMDW"),  # a book without thresholds is skipped
    ]
    trades = run(rows)
    assert len(trades) == 1
    trade = trades[0]
    # the ladder of three rows: the design rule found the one bracket holding 50
    assert (trade.market_ticker, trade.bracket_lower, trade.bracket_upper) == ("B50.5", 50, 51)
    assert (trade.checkpoint_minute, trade.station_verdict, trade.is_executed) == (
        600,
        "KILL",
        True,
    )
    assert (trade.contract_count, trade.fee_dollars, trade.cost_dollars) == (
        20,
        D("0.35"),
        D("10.00"),
    )
    assert trade.pnl_dollars == D("-10.35") == trade.hypothetical_pnl_dollars


def test_a_market_without_a_result_trades_but_has_no_pnl() -> None:
    (trade,) = run([row("B50.5", 50, 51, result=None)])
    assert trade.is_executed and trade.is_win is None
    assert trade.pnl_dollars is None and trade.hypothetical_pnl_dollars is None


def test_rows_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="out of order"):
        run([row("B50.5", 50, 51, at=OPEN + timedelta(minutes=15)), row("B50.5", 50, 51)])


def test_unknown_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="risk scope"):
        run([row("B50.5", 50, 51)], scope="everything")
