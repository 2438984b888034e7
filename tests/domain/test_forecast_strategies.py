"""The forecast strategies' rules (domain.forecast_strategies) and their search (forecast_search)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.brackets import Bracket
from domain.fees import trade_fee
from domain.forecast_search import DEFAULT_PARAMS, search, train_score
from domain.forecast_strategies import (
    BracketQuote,
    ContractDay,
    Snapshot,
    Stakes,
    StrategyParams,
    open_index,
    run_day,
    should_switch,
    whole_f,
)

D = Decimal
T0 = datetime(2025, 7, 1, 6, 0, tzinfo=UTC)
STAKES = Stakes(stake_min=D("5"), stake_max=D("10"))
PARAMS = StrategyParams(max_ask=D("0.90"), exit_margin_f=1)


def quote(
    ticker: str,
    lower: int | None,
    upper: int | None,
    bid: str | None,
    ask: str | None,
    result: str = "no",
) -> BracketQuote:
    return BracketQuote(
        ticker,
        Bracket(lower, upper),
        None if bid is None else D(bid),
        None if ask is None else D(ask),
        result,
    )


def snap(
    minutes: int, extreme: int | None, forecast: str | None, *quotes: BracketQuote
) -> Snapshot:
    return Snapshot(
        T0 + timedelta(minutes=minutes), extreme, None if forecast is None else D(forecast), quotes
    )


def day(*snapshots: Snapshot, contract: str = "HIGH") -> ContractDay:
    return ContractDay(
        "simulated", "KAUS", contract, date(2025, 7, 1), "test", "quadratic", D(1), snapshots
    )


LADDER_OPEN = (
    quote("B80", 80, 81, "0.30", "0.40", "no"),
    quote("B82", 82, 83, "0.20", "0.25", "yes"),
)


def test_whole_f_rounds_half_up() -> None:
    assert whole_f(D("81.5")) == 82
    assert whole_f(D("81.49")) == 81


def test_open_is_first_checkpoint_with_forecast_and_ask() -> None:
    snaps = (
        snap(0, 70, None, *LADDER_OPEN),  # no forecast yet
        snap(15, 70, "81.2", quote("B80", 80, 81, "0.30", None)),  # no executable ask
        snap(30, 70, "81.2", *LADDER_OPEN),
    )
    assert open_index(snaps) == 2
    assert open_index(snaps[:2]) is None


def test_base_buys_forecast_bracket_at_open_and_holds() -> None:
    trade = run_day(day(snap(0, 70, "81.2", *LADDER_OPEN)), "open_maker_base", PARAMS, STAKES)
    assert trade is not None
    assert trade.entry_market_ticker == "B80"
    assert trade.entry_count == 25  # $10 / 0.40
    fee = trade_fee(25, D("0.40"))
    assert trade.entry_fee_dollars == fee
    assert trade.is_win is False
    assert trade.pnl_dollars == -(25 * D("0.40")) - fee


def test_base_skips_ask_above_max_and_missing_bracket() -> None:
    assert (
        run_day(
            day(snap(0, 70, "81", *LADDER_OPEN)),
            "open_maker_base",
            StrategyParams(max_ask=D("0.35")),
            STAKES,
        )
        is None
    )
    assert run_day(day(snap(0, 70, "90", *LADDER_OPEN)), "open_maker_base", PARAMS, STAKES) is None


def test_should_switch_high_and_low() -> None:
    held = Bracket(80, 81)
    assert should_switch(snap(0, 80, "82.5"), held, "HIGH", 1)
    assert not should_switch(snap(0, 79, "82.5"), held, "HIGH", 1)  # not within margin
    assert not should_switch(snap(0, 81, "81"), held, "HIGH", 1)  # forecast not above
    assert should_switch(snap(0, 81, "79"), held, "LOW", 1)
    assert not should_switch(snap(0, 80, "79"), Bracket(None, 81), "LOW", 1)  # open tail


def test_next_over_sells_at_bid_and_buys_next_at_ask() -> None:
    the_day = day(
        snap(0, 70, "81.2", *LADDER_OPEN),
        snap(15, 79, "82.4", *LADDER_OPEN),  # running high 2 below the edge: margin 1 waits
        snap(
            30,
            80,
            "82.4",
            quote("B80", 80, 81, "0.35", "0.45"),
            quote("B82", 82, 83, "0.30", "0.50", "yes"),
        ),
    )
    trade = run_day(the_day, "open_maker_next_over", PARAMS, STAKES)
    assert trade is not None
    assert trade.exited_at == T0 + timedelta(minutes=30)
    assert trade.exit_bid_dollars == D("0.35")
    assert trade.final_market_ticker == "B82"
    assert trade.final_count == 20
    entry_fee, exit_fee, buy_fee = (
        trade_fee(25, D("0.40")),
        trade_fee(25, D("0.35")),
        trade_fee(20, D("0.50")),
    )
    assert trade.exit_fee_dollars == exit_fee
    expected = 25 * (D("0.35") - D("0.40")) - entry_fee - exit_fee + 20 * (1 - D("0.50")) - buy_fee
    assert trade.pnl_dollars == expected
    assert trade.is_win is True
    # the base strategy on the same day holds the losing entry
    base = run_day(the_day, "open_maker_base", PARAMS, STAKES)
    assert base is not None and base.exited_at is None and base.is_win is False


def test_next_over_waits_while_a_leg_cannot_execute() -> None:
    the_day = day(
        snap(0, 70, "81.2", *LADDER_OPEN),
        snap(
            15, 81, "83", quote("B80", 80, 81, None, "0.45"), quote("B82", 82, 83, "0.30", "0.50")
        ),
    )
    trade = run_day(the_day, "open_maker_next_over", PARAMS, STAKES)
    assert trade is not None and trade.exited_at is None and trade.final_market_ticker == "B80"


def test_unknown_strategy_raises() -> None:
    with pytest.raises(ValueError, match="unknown strategy"):
        run_day(day(), "nope", PARAMS, STAKES)


def test_search_is_deterministic_and_fits_train() -> None:
    days = [
        day(
            snap(
                0,
                70,
                "81",
                quote("B80", 80, 81, "0.3", "0.40", "yes"),
                quote("B82", 82, 83, "0.2", "0.25"),
            )
        ),
        day(
            snap(
                0,
                70,
                "81",
                quote("B80", 80, 81, "0.6", "0.70", "no"),
                quote("B82", 82, 83, "0.2", "0.25"),
            )
        ),
    ]
    first = search(days, "open_maker_base", STAKES, trials=12, seed=3)
    assert first == search(days, "open_maker_base", STAKES, trials=12, seed=3)
    # buying only the cheap winner beats buying both
    assert D("0.40") <= first.max_ask < D("0.70")
    assert train_score(days, "open_maker_base", first, STAKES) > 0
    assert search([], "open_maker_base", STAKES, trials=5, seed=3) == DEFAULT_PARAMS
