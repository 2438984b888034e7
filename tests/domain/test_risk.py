"""Risk limits: one trade per key, the daily loss limit, the losing-streak halt, order P&L.

The limits take plain values (a trade key, a P&L); the replay loop that feeds them is tested in
``test_replay.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.decision import Decision, Reason
from domain.risk import (
    RiskLimits,
    RiskReason,
    RiskState,
    TradeKey,
    check,
    order_pnl,
    record_settlement,
    record_trade,
    resume,
)

D = Decimal
DAY = date(2025, 7, 1)
NEXT = date(2025, 7, 2)
KEY: TradeKey = ("KNYC", "HIGH", DAY)


def buy(station: str = "KNYC", contract: str = "HIGH", day: date = DAY) -> Decision:
    return Decision(
        action="BUY_YES",
        reason_code=Reason.TRADE,
        reason="test",
        station_icao=station,
        contract_type=contract,
        climate_date=day,
        checkpoint_minute=1080,
        rule="design",
        market_ticker="KXHIGHNY-25JUL01-B84.5",
        price=D("0.90"),
        count=11,
        fee=D("0.07"),
        probability=D("0.95"),
        expected_value_per_contract=D("0.04"),
    )


def test_one_trade_per_station_contract_day() -> None:
    state = record_trade(RiskState(), KEY)
    assert check(state, "KNYC", "HIGH", DAY, DAY) == RiskReason.ONE_TRADE_PER_DAY
    assert check(state, "knyc", "high", DAY, DAY) == RiskReason.ONE_TRADE_PER_DAY
    assert check(state, "KNYC", "LOW", DAY, DAY) is None
    assert check(state, "KMDW", "HIGH", DAY, DAY) is None
    assert check(state, "KNYC", "HIGH", NEXT, NEXT) is None
    with pytest.raises(ValueError, match="already traded"):
        record_trade(state, ("knyc", "high", DAY))  # keys are case-insensitive


def test_a_decision_records_under_its_trade_key() -> None:
    assert buy(station="kmdw", contract="low").trade_key == ("KMDW", "LOW", DAY)
    state = record_trade(RiskState(), buy(station="kmdw", contract="low").trade_key)
    assert state.traded == frozenset({("KMDW", "LOW", DAY)})


def test_states_are_immutable_values() -> None:
    empty = RiskState()
    after = record_settlement(record_trade(empty, KEY), D("-9.97"), NEXT)
    assert empty == RiskState() and empty.traded == frozenset() and empty.pnl_on(NEXT) == 0
    assert after.pnl_on(NEXT) == D("-9.97")
    with pytest.raises(TypeError):
        after.daily_pnl[NEXT] = D("0")  # type: ignore[index]


def test_order_pnl_and_a_decisions_settlement_pnl() -> None:
    # won: 11 x (1 - 0.90) - 0.07 = 1.03; lost: -(11 x 0.90) - 0.07 = -9.97
    assert order_pnl(11, D("0.90"), D("0.07"), won=True) == D("1.03")
    assert order_pnl(11, D("0.90"), D("0.07"), won=False) == D("-9.97")
    assert buy().settlement_pnl(won=True) == D("1.03")
    assert buy().settlement_pnl(won=False) == D("-9.97")
    with pytest.raises(ValueError, match="BUY_YES"):
        replace(buy(), action="NO_TRADE").settlement_pnl(won=True)


def test_daily_loss_limit_blocks_the_day_only() -> None:
    state = RiskState(limits=RiskLimits(daily_loss_limit=D("20")))
    state = record_settlement(state, D("-9.97"), NEXT)
    assert check(state, "KNYC", "HIGH", NEXT, NEXT) is None
    state = record_settlement(state, D("-9.97"), NEXT)
    assert check(state, "KNYC", "HIGH", NEXT, NEXT) is None  # -19.94: not yet at -20
    state = record_settlement(state, D("-0.06"), NEXT)
    assert state.pnl_on(NEXT) == D("-20.00")
    assert check(state, "KMDW", "LOW", NEXT, NEXT) == RiskReason.DAILY_LOSS  # reaching it halts
    later = date(2025, 7, 3)
    assert check(state, "KMDW", "LOW", later, later) is None  # a new day starts clean
    assert not state.halted  # the day's limit is not the persistent halt


def test_wins_offset_losses_within_the_day() -> None:
    state = RiskState(limits=RiskLimits(daily_loss_limit=D("20")))
    for pnl in (D("-9.97"), D("1.03"), D("-9.97"), D("-0.06")):
        state = record_settlement(state, pnl, NEXT)
    assert state.pnl_on(NEXT) == D("-18.97")
    assert check(state, "KNYC", "HIGH", NEXT, NEXT) is None


def test_five_consecutive_losses_halt_until_resumed() -> None:
    state = RiskState()
    for n in range(1, 5):
        state = record_settlement(state, D("-1"), NEXT)
        assert state.consecutive_losses == n and not state.halted
    state = record_settlement(state, D("-1"), NEXT)
    assert state.halted and state.halt_reason == RiskReason.CONSECUTIVE_LOSSES
    assert check(state, "KNYC", "HIGH", NEXT, NEXT) == RiskReason.CONSECUTIVE_LOSSES
    later = date(2025, 7, 9)
    assert check(state, "KNYC", "HIGH", later, later) == RiskReason.CONSECUTIVE_LOSSES
    # a win after the halt does not lift it: only a human does
    assert record_settlement(state, D("1"), later).halted
    resumed = resume(state)
    assert not resumed.halted and resumed.consecutive_losses == 0
    assert check(resumed, "KNYC", "HIGH", later, later) is None


def test_a_win_resets_the_streak_and_zero_leaves_it() -> None:
    state = RiskState()
    for _ in range(4):
        state = record_settlement(state, D("-1"), NEXT)
    state = record_settlement(state, D("0"), NEXT)
    assert state.consecutive_losses == 4
    state = record_settlement(state, D("0.50"), NEXT)
    assert state.consecutive_losses == 0
    for _ in range(4):
        state = record_settlement(state, D("-1"), NEXT)
    assert not state.halted


def test_halt_is_reported_before_other_limits() -> None:
    state = record_trade(RiskState(limits=RiskLimits(max_consecutive_losses=1)), KEY)
    state = record_settlement(state, D("-60"), DAY)
    assert check(state, "KNYC", "HIGH", DAY, DAY) == RiskReason.CONSECUTIVE_LOSSES


@pytest.mark.parametrize(
    "kwargs",
    [
        {"stake_min": D("11")},
        {"stake_min": D("0")},
        {"daily_loss_limit": D("-50")},
        {"max_consecutive_losses": 0},
    ],
)
def test_bad_limits_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RiskLimits(**kwargs)  # type: ignore[arg-type]


def test_floats_refused() -> None:
    with pytest.raises(TypeError):
        RiskLimits(daily_loss_limit=50.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        record_settlement(RiskState(), -1.0, DAY)  # type: ignore[arg-type]
