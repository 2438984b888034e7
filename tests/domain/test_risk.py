"""Risk limits: one trade per key, the daily loss limit, the losing-streak halt, and the replay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.brackets import Bracket
from domain.decision import (
    Decision,
    DecisionInput,
    LadderQuote,
    Reason,
    StationThresholds,
    decide,
    replay,
)
from domain.risk import (
    RiskLimits,
    RiskReason,
    RiskState,
    Settlement,
    check,
    record_settlement,
    record_trade,
    resume,
    settlement_pnl,
)

D = Decimal
DAY = date(2025, 7, 1)
NEXT = date(2025, 7, 2)


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
    state = record_trade(RiskState(), buy())
    assert check(state, "KNYC", "HIGH", DAY, DAY) == RiskReason.ONE_TRADE_PER_DAY
    assert check(state, "knyc", "high", DAY, DAY) == RiskReason.ONE_TRADE_PER_DAY
    assert check(state, "KNYC", "LOW", DAY, DAY) is None
    assert check(state, "KMDW", "HIGH", DAY, DAY) is None
    assert check(state, "KNYC", "HIGH", NEXT, NEXT) is None
    with pytest.raises(ValueError, match="already traded"):
        record_trade(state, buy())


def test_no_trade_cannot_be_recorded() -> None:
    with pytest.raises(ValueError, match="NO_TRADE"):
        record_trade(RiskState(), replace(buy(), action="NO_TRADE"))


def test_states_are_immutable_values() -> None:
    empty = RiskState()
    after = record_settlement(record_trade(empty, buy()), D("-9.97"), NEXT)
    assert empty == RiskState() and empty.traded == frozenset() and empty.pnl_on(NEXT) == 0
    assert after.pnl_on(NEXT) == D("-9.97")
    with pytest.raises(TypeError):
        after.daily_pnl[NEXT] = D("0")  # type: ignore[index]


def test_settlement_pnl() -> None:
    # won: 11 x (1 - 0.90) - 0.07 = 1.03; lost: -(11 x 0.90) - 0.07 = -9.97
    assert settlement_pnl(buy(), won=True) == D("1.03")
    assert settlement_pnl(buy(), won=False) == D("-9.97")
    with pytest.raises(ValueError):
        settlement_pnl(replace(buy(), action="NO_TRADE"), won=True)


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
    state = record_trade(RiskState(limits=RiskLimits(max_consecutive_losses=1)), buy())
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


# --- the replay loop: decide + limits, settlements applied when they become known ----------------


def checkpoint(day: date, station: str = "KNYC", minute: int = 1080) -> DecisionInput:
    th = StationThresholds(
        station_icao=station,
        contract_type="HIGH",
        rule="design",
        window_start_minute=960,
        buffer_f=0,
        accuracy=D("0.95"),
    )
    ladder = (
        LadderQuote("A-LOW", Bracket(None, 83), D("0.05")),
        LadderQuote("A-MID", Bracket(84, 85), D("0.90")),
        LadderQuote("A-TOP", Bracket(86, None), D("0.05")),
    )
    offset = {"KNYC": 5, "KMDW": 6, "KDEN": 7, "KLAX": 8, "KMIA": 5}[station]
    now = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        hours=offset, minutes=minute
    )
    return DecisionInput(th, "HIGH", day, 84, 5, ladder, now)


def days(n: int) -> list[date]:
    return [DAY + timedelta(days=i) for i in range(n)]


def settle_next_morning(won: bool) -> Callable[[Decision], Settlement]:
    def settle(decision: Decision) -> Settlement:
        # the CLI comes out the morning after the climate day: 10:00 UTC next day
        next_day = decision.climate_date + timedelta(days=1)
        return Settlement(
            datetime(next_day.year, next_day.month, next_day.day, 10, tzinfo=UTC), won
        )

    return settle


def test_replay_halts_after_five_consecutive_losses() -> None:
    inputs = [checkpoint(day) for day in days(8)]
    decisions = replay(
        inputs, settle_next_morning(won=False), RiskLimits(daily_loss_limit=D("1000"))
    )
    codes = [d.reason_code for d in decisions]
    # each day's loss is known the next morning; after 5 of them the sixth day is halted
    assert codes[:5] == [Reason.TRADE] * 5
    assert codes[5:] == [RiskReason.CONSECUTIVE_LOSSES] * 3


def test_replay_winning_streak_never_halts() -> None:
    decisions = replay([checkpoint(day) for day in days(8)], settle_next_morning(won=True))
    assert all(d.is_trade for d in decisions)


def test_replay_daily_loss_limit_blocks_the_settlement_day() -> None:
    stations = ["KNYC", "KMDW", "KDEN"]
    # day 1: three trades (one per station); each loses $9.97, realised on day 2 morning
    day1 = sorted((checkpoint(DAY, s) for s in stations), key=lambda i: i.now)
    day2 = sorted((checkpoint(NEXT, s) for s in stations), key=lambda i: i.now)
    decisions = replay(
        [*day1, *day2], settle_next_morning(won=False), RiskLimits(daily_loss_limit=D("25"))
    )
    assert [d.reason_code for d in decisions[:3]] == [Reason.TRADE] * 3
    assert [d.reason_code for d in decisions[3:]] == [RiskReason.DAILY_LOSS] * 3


def test_replay_settlement_is_not_seen_before_it_happens() -> None:
    # two checkpoints on day 2, the settlement of day 1's loss lands between them
    limits = RiskLimits(daily_loss_limit=D("5"))
    early = checkpoint(NEXT, "KNYC", minute=0)  # 05:00 UTC: before the 10:00 UTC settlement
    late = checkpoint(NEXT, "KMDW", minute=1080)
    th = replace(early.thresholds, window_start_minute=0)
    early = replace(early, thresholds=th)
    decisions = replay([checkpoint(DAY), early, late], settle_next_morning(won=False), limits)
    assert [d.reason_code for d in decisions] == [Reason.TRADE, Reason.TRADE, RiskReason.DAILY_LOSS]


def test_replay_is_deterministic() -> None:
    inputs = [checkpoint(day, s) for day in days(4) for s in ("KNYC", "KMDW")]
    inputs.sort(key=lambda i: i.now)
    first = replay(inputs, settle_next_morning(won=False))
    assert first == replay(inputs, settle_next_morning(won=False))
    assert decide(inputs[0]) == decide(inputs[0])
