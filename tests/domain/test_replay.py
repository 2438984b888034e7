"""The replay loop (``domain.replay``): decide + risk limits, settlements applied when known.

Pinned edge cases: a settlement exactly at ``now`` is applied before that decision; settlements
due at the same instant are applied in trade order; a voided market never settles; a realised
loss counts on the traded station's climate date, which differs between zones at one instant;
the daily loss includes the fee, which sizing keeps outside the stake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.brackets import Bracket
from domain.climate_day import climate_date, climate_day_window
from domain.decision import Decision, Reason
from domain.decision_input import DecisionInput, LadderQuote
from domain.replay import Settlement, replay
from domain.risk import RiskLimits, RiskReason
from domain.stations import station_by_icao
from domain.thresholds import StationThresholds
from tests.domain.engine_cases import at_minute, make_input

D = Decimal
DAY = date(2025, 7, 1)
NEXT = date(2025, 7, 2)
# Each design trade below buys 11 x A-MID at 0.90 with a 0.07 fee: a loss is -9.97.
ASK = D("0.90")


def checkpoint(
    day: date, station: str = "KNYC", minute: int = 1080, ask: Decimal = ASK
) -> DecisionInput:
    """A HIGH design checkpoint ``minute`` after the station's LST midnight, running high 84."""
    th = StationThresholds(
        station_icao=station,
        contract_type="HIGH",
        rule="design",
        window_start_minute=0,
        buffer_f=0,
        accuracy=D("0.95"),
    )
    ladder = (
        LadderQuote("A-LOW", Bracket(None, 83), D("0.05")),
        LadderQuote("A-MID", Bracket(84, 85), ask),
        LadderQuote("A-TOP", Bracket(86, None), D("0.05")),
    )
    start, _ = climate_day_window(day, station_by_icao(station))
    return DecisionInput(th, "HIGH", day, 84, 5, ladder, start + timedelta(minutes=minute))


def days(n: int) -> list[date]:
    return [DAY + timedelta(days=i) for i in range(n)]


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def settle_next_morning(won: bool) -> Callable[[Decision], Settlement]:
    def settle(decision: Decision) -> Settlement:
        # the CLI comes out the morning after the climate day: 10:00 UTC next day
        return Settlement(utc(decision.climate_date + timedelta(days=1), 10), won)

    return settle


def codes(decisions: list[Decision]) -> list[str]:
    return [d.reason_code for d in decisions]


# --- order, one trade per key, the halt -------------------------------------------------------


def test_one_trade_per_day_and_settle_asked_once() -> None:
    inputs = [make_input(now=at_minute(m)) for m in (1065, 1080, 1095)]
    asked: list[Decision] = []

    def settle(decision: Decision) -> Settlement:
        asked.append(decision)
        return Settlement(settled_at=at_minute(1440 + 600), won=True)

    decisions = replay(inputs, settle)
    assert codes(decisions) == [Reason.TRADE, *[RiskReason.ONE_TRADE_PER_DAY] * 2]
    assert asked == [decisions[0]]
    # the blocked checkpoints keep the order the engine would have placed
    assert [(d.candidate_count, d.candidate_fee) for d in decisions[1:]] == [(11, D("0.07"))] * 2


def test_inputs_out_of_time_order_are_refused() -> None:
    inputs = [make_input(now=at_minute(1095)), make_input(now=at_minute(1080))]
    with pytest.raises(ValueError, match="time order"):
        replay(inputs, lambda d: None)


def test_halts_after_five_consecutive_losses() -> None:
    decisions = replay(
        [checkpoint(day) for day in days(8)],
        settle_next_morning(won=False),
        RiskLimits(daily_loss_limit=D("1000")),
    )
    # each day's loss is known the next morning; after 5 of them the sixth day is halted
    assert codes(decisions) == [Reason.TRADE] * 5 + [RiskReason.CONSECUTIVE_LOSSES] * 3


def test_a_winning_streak_never_halts() -> None:
    decisions = replay([checkpoint(day) for day in days(8)], settle_next_morning(won=True))
    assert codes(decisions) == [Reason.TRADE] * 8


def test_two_books_halt_on_the_fifth_loss_whichever_station_made_it() -> None:
    inputs = sorted(
        (checkpoint(day, s) for day in days(4) for s in ("KNYC", "KMDW")), key=lambda i: i.now
    )
    decisions = replay(inputs, settle_next_morning(won=False))
    # days 1-2 lose 4 times (known by day 3's morning); day 3 trades twice; its losses halt day 4
    assert codes(decisions) == [Reason.TRADE] * 6 + [RiskReason.CONSECUTIVE_LOSSES] * 2


# --- settlement timing ------------------------------------------------------------------------


def test_daily_loss_limit_blocks_the_settlement_day() -> None:
    stations = ["KNYC", "KMDW", "KDEN"]
    # day 1: three trades (one per station); each loses $9.97, realised on day 2 morning
    day1 = sorted((checkpoint(DAY, s) for s in stations), key=lambda i: i.now)
    day2 = sorted((checkpoint(NEXT, s) for s in stations), key=lambda i: i.now)
    decisions = replay(
        [*day1, *day2], settle_next_morning(won=False), RiskLimits(daily_loss_limit=D("25"))
    )
    assert codes(decisions) == [Reason.TRADE] * 3 + [RiskReason.DAILY_LOSS] * 3


def test_a_settlement_is_not_seen_before_it_happens() -> None:
    limits = RiskLimits(daily_loss_limit=D("5"))
    early = checkpoint(NEXT, "KNYC", minute=0)  # 05:00 UTC: before the 10:00 UTC settlement
    late = checkpoint(NEXT, "KMDW", minute=1080)
    decisions = replay([checkpoint(DAY), early, late], settle_next_morning(won=False), limits)
    assert codes(decisions) == [Reason.TRADE, Reason.TRADE, RiskReason.DAILY_LOSS]


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        (timedelta(microseconds=-1), Reason.TRADE),
        # at exactly settled_at the result is public: applied before the decision at that instant
        (timedelta(0), RiskReason.DAILY_LOSS),
    ],
)
def test_a_settlement_at_exactly_now_is_applied_first(offset: timedelta, code: str) -> None:
    settled_at = utc(NEXT, 10)  # 05:00 EST on the 2 July climate day
    probe = checkpoint(NEXT, "KMDW")
    probe = replace(probe, now=settled_at + offset)
    decisions = replay(
        [checkpoint(DAY), probe],
        lambda d: Settlement(settled_at, won=False),
        RiskLimits(daily_loss_limit=D("5")),
    )
    assert codes(decisions) == [Reason.TRADE, code]


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        # in trade order L, L, W the win comes last: streak 0, plus day 2's loss = 1
        ((False, False, True), Reason.TRADE),
        # in trade order W, L, L the streak is 2, plus day 2's loss = 3: halted
        ((True, False, False), RiskReason.CONSECUTIVE_LOSSES),
    ],
)
def test_settlements_at_one_instant_apply_in_trade_order(
    outcomes: tuple[bool, bool, bool], code: str
) -> None:
    # traded in this order (zones further west trade later), the reverse of ticker/station order
    stations = ("KNYC", "KMDW", "KDEN")
    won = dict(zip(stations, outcomes, strict=True))
    day1 = [checkpoint(DAY, s) for s in stations]
    assert [i.now for i in day1] == sorted(i.now for i in day1)
    day3 = DAY + timedelta(days=2)

    def settle(decision: Decision) -> Settlement:
        if decision.climate_date == DAY:  # all three at one instant
            return Settlement(utc(NEXT, 10), won[decision.station_icao])
        return Settlement(utc(day3, 10), won=False)

    decisions = replay(
        [*day1, checkpoint(NEXT), checkpoint(day3)],
        settle,
        RiskLimits(max_consecutive_losses=3),
    )
    assert codes(decisions) == [Reason.TRADE] * 4 + [code]


def test_a_voided_market_stays_traded_and_moves_nothing() -> None:
    limits = RiskLimits(daily_loss_limit=D("5"), max_consecutive_losses=1)
    inputs = [checkpoint(DAY), checkpoint(DAY, minute=1200), checkpoint(NEXT)]
    voided = replay(inputs, lambda d: None, limits)
    # still one trade per day; no P&L, no streak: the next day trades
    assert codes(voided) == [Reason.TRADE, RiskReason.ONE_TRADE_PER_DAY, Reason.TRADE]
    lost = replay(inputs, settle_next_morning(won=False), limits)
    assert codes(lost)[2] == RiskReason.CONSECUTIVE_LOSSES


# --- the risk day across zones ----------------------------------------------------------------


def test_a_loss_counts_on_the_traded_stations_climate_date() -> None:
    settled_at = utc(NEXT, 6)  # 01:00 EST 2 July at KNYC, but 22:00 PST 1 July at KLAX
    knyc, klax = station_by_icao("KNYC"), station_by_icao("KLAX")
    assert (climate_date(settled_at, knyc), climate_date(settled_at, klax)) == (NEXT, DAY)
    limits = RiskLimits(daily_loss_limit=D("5"))

    def lose_day_one(decision: Decision) -> Settlement | None:
        return Settlement(settled_at, won=False) if decision.climate_date == DAY else None

    # a KNYC loss is booked on 2 July: at 06:30 UTC KLAX is still on 1 July and trades,
    # its 2 July trades are blocked
    after = checkpoint(DAY, "KLAX", minute=1350)  # 06:30 UTC 2 July
    assert after.now == settled_at + timedelta(minutes=30)
    decisions = replay(
        [checkpoint(DAY, "KNYC"), after, checkpoint(NEXT, "KLAX")], lose_day_one, limits
    )
    assert codes(decisions) == [Reason.TRADE, Reason.TRADE, RiskReason.DAILY_LOSS]

    # a KLAX loss settled at the same instant is booked on 1 July (KLAX's date): 2 July is clean
    klax_first = checkpoint(DAY, "KLAX", minute=1080)  # 02:00 UTC 2 July
    decisions = replay([klax_first, checkpoint(NEXT, "KNYC")], lose_day_one, limits)
    assert codes(decisions) == [Reason.TRADE, Reason.TRADE]


# --- the fee counts in the loss -----------------------------------------------------------------


def test_the_fee_counts_in_the_daily_loss() -> None:
    # $10.00 of contracts at 0.50 plus a $0.35 fee: the loss, -$10.35, passes a $10.10 limit
    # that the stake alone (-$10.00) would not reach
    decisions = replay(
        [checkpoint(DAY, ask=D("0.50")), checkpoint(NEXT, "KMDW")],
        settle_next_morning(won=False),
        RiskLimits(daily_loss_limit=D("10.10")),
    )
    assert (decisions[0].count, decisions[0].cost, decisions[0].fee) == (20, D("10.00"), D("0.35"))
    assert decisions[0].settlement_pnl(won=False) == D("-10.35")
    assert codes(decisions) == [Reason.TRADE, RiskReason.DAILY_LOSS]
