"""The decision engine: every gate and reason code, the design rule, fees, the LST clock.

The fair-value rule is in ``test_decision_fair_value.py``, sizing in ``test_sizing.py``, the
replay loop in ``test_replay.py``; the builders are in ``engine_cases.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.brackets import Bracket
from domain.decision import Reason, decide
from domain.decision_input import LadderQuote
from domain.fees import trade_fee
from domain.risk import RiskLimits, RiskReason, RiskState, record_trade
from domain.sizing import size_order
from tests.domain.engine_cases import (
    B84,
    DAY,
    EDT,
    FV,
    D,
    at_minute,
    fv_ladder,
    high_ladder,
    make_input,
    thresholds,
)

# --- the clock: minutes after local-standard-time midnight ------------------------------------


@pytest.mark.parametrize(
    ("now", "minute"),
    [
        # 19:00 EDT is 18:00 EST: minute 1080, not 1140.
        (datetime(2025, 7, 1, 19, 0, tzinfo=EDT), 1080),
        # 00:30 EDT on 2 July is still 23:30 EST on the 1 July climate day.
        (datetime(2025, 7, 2, 0, 30, tzinfo=EDT), 1410),
        # 01:00 EDT on 2 July is the LST midnight that ends the 1 July day.
        (datetime(2025, 7, 2, 1, 0, tzinfo=EDT), 1440),
        (datetime(2025, 7, 1, 23, 0, tzinfo=UTC), 1080),
        # seconds are floored
        (datetime(2025, 7, 1, 19, 0, 59, tzinfo=EDT), 1080),
    ],
)
def test_checkpoint_minute_uses_standard_time(now: datetime, minute: int) -> None:
    assert make_input(now=now).checkpoint_minute == minute


def test_checkpoint_minute_in_winter_matches_civil_clock() -> None:
    winter = replace(
        make_input(), climate_date=date(2025, 1, 15), now=datetime(2025, 1, 15, 18, 0, tzinfo=EDT)
    )
    assert winter.checkpoint_minute == 1080


@pytest.mark.parametrize(
    ("now", "window", "code"),
    [
        # window 19:00 EST .. 22:00 EST given as minutes; `now` on the civil EDT clock
        (datetime(2025, 7, 1, 19, 59, tzinfo=EDT), (1140, 1320), Reason.OUTSIDE_WINDOW),
        (datetime(2025, 7, 1, 20, 0, tzinfo=EDT), (1140, 1320), Reason.TRADE),
        (datetime(2025, 7, 1, 23, 0, tzinfo=EDT), (1140, 1320), Reason.TRADE),
        (datetime(2025, 7, 1, 23, 1, tzinfo=EDT), (1140, 1320), Reason.OUTSIDE_WINDOW),
        # the default end is the end of the climate day, inclusive (01:00 EDT next civil day)
        (datetime(2025, 7, 2, 1, 0, tzinfo=EDT), (1140, 1440), Reason.TRADE),
        (datetime(2025, 7, 2, 1, 1, tzinfo=EDT), (1140, 1440), Reason.OUTSIDE_WINDOW),
        # a `now` before the climate day started
        (datetime(2025, 7, 1, 0, 30, tzinfo=EDT), (0, 1440), Reason.OUTSIDE_WINDOW),
    ],
)
def test_window_boundaries_across_dst(now: datetime, window: tuple[int, int], code: str) -> None:
    th = thresholds(window_start_minute=window[0], window_end_minute=window[1])
    assert decide(make_input(th, now=now)).reason_code == code


def test_naive_now_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_input(now=datetime(2025, 7, 1, 18, 0))


# --- configuration and data gates (both rules) ------------------------------------------------


@pytest.mark.parametrize("rule", ["design", "fair_value"])
def test_verdict_kill(rule: str) -> None:
    decision = decide(make_input(thresholds(rule=rule, verdict="KILL")))
    assert (decision.action, decision.reason_code) == ("NO_TRADE", Reason.VERDICT_KILL)
    assert decision.count == 0 and decision.fee == 0


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"tier": "SKIP"}, Reason.TIER_SKIP),
        ({"tier": "SKIP", "rule": "fair_value"}, Reason.TIER_SKIP),
        ({"accuracy": D("0.79")}, Reason.TIER_SKIP),  # design tiers: below 80% is skipped
        ({"accuracy": D("0.80"), "tier": "B"}, Reason.TRADE),  # 80% itself is tradable (ask 0.70)
    ],
)
def test_tiers(overrides: dict[str, object], code: str) -> None:
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": D("0.70")})
    assert decide(make_input(thresholds(**overrides), ladder=ladder)).reason_code == code


def test_fair_value_is_not_tiered_on_design_accuracy() -> None:
    ladder = tuple(replace(q, probability=D("0.99")) for q in high_ladder())
    th = thresholds(rule="fair_value", accuracy=D("0.10"), min_edge=D("0.02"))
    assert decide(make_input(th, ladder=ladder)).reason_code == Reason.TRADE


@pytest.mark.parametrize("rule", ["design", "fair_value"])
def test_no_running_extreme(rule: str) -> None:
    decision = decide(make_input(thresholds(rule=rule), extreme=None, age=None))
    assert decision.reason_code == Reason.NO_RUNNING_EXTREME


@pytest.mark.parametrize(
    ("age", "code"),
    [
        (0, Reason.TRADE),
        (20, Reason.TRADE),
        (D("20.0"), Reason.TRADE),
        (D("20.5"), Reason.STALE_OBSERVATION),
        (21, Reason.STALE_OBSERVATION),
        (None, Reason.STALE_OBSERVATION),
    ],
)
def test_freshness_boundary(age: int | Decimal | None, code: str) -> None:
    assert decide(make_input(age=age)).reason_code == code


def test_negative_observation_age_is_look_ahead() -> None:
    with pytest.raises(ValueError, match="negative"):
        make_input(age=-1)


def test_contract_type_must_match_thresholds() -> None:
    with pytest.raises(ValueError, match="does not match"):
        replace(make_input(), contract_type="LOW")


# --- design rule -----------------------------------------------------------------------------


def test_design_buys_the_bracket_holding_the_running_high() -> None:
    decision = decide(make_input(extreme=84))
    assert decision.action == "BUY_YES"
    assert decision.reason_code == Reason.TRADE
    assert decision.market_ticker == "KXHIGHNY-25JUL01-B84.5"
    assert decision.price == D("0.90")
    assert decision.count == 11  # 11 x 0.90 = 9.90 <= 10
    assert decision.cost == D("9.90")
    assert decision.fee == trade_fee(11, D("0.90")) == D("0.07")
    assert decision.probability == D("0.95")
    assert decision.expected_value_per_contract == D("0.95") - D("0.90") - D("0.07") / 11
    assert (decision.station_icao, decision.contract_type, decision.climate_date) == (
        "KNYC",
        "HIGH",
        DAY,
    )
    assert decision.checkpoint_minute == 1080


def test_design_no_bracket_contains() -> None:
    gappy = tuple(q for q in high_ladder() if q.market_ticker != "KXHIGHNY-25JUL01-B84.5")
    assert decide(make_input(ladder=gappy)).reason_code == Reason.NO_BRACKET_CONTAINS


def test_design_overlapping_ladder_is_not_traded() -> None:
    ladder = (*high_ladder(), LadderQuote("KXHIGHNY-25JUL01-B84", Bracket(83, 84), D("0.50")))
    assert decide(make_input(ladder=ladder)).reason_code == Reason.LADDER_OVERLAP


@pytest.mark.parametrize(
    ("extreme", "buffer", "code", "ticker"),
    [
        # HIGH headroom is the distance to the upper edge (the max can only rise)
        (84, 0, Reason.TRADE, "KXHIGHNY-25JUL01-B84.5"),
        (84, 1, Reason.TRADE, "KXHIGHNY-25JUL01-B84.5"),  # headroom exactly at the buffer
        (84, 2, Reason.INSIDE_BUFFER, None),
        (85, 0, Reason.TRADE, "KXHIGHNY-25JUL01-B84.5"),
        (85, 1, Reason.INSIDE_BUFFER, None),  # on the upper edge: one more degree leaves
        # crossed 'greater' tail >=88: unbounded upward, decided YES by movement
        (88, 3, Reason.TRADE, "KXHIGHNY-25JUL01-T87"),
        (95, 9, Reason.TRADE, "KXHIGHNY-25JUL01-T87"),
        # the 'less' tail <=79 holding a running HIGH is not decided: the max can still rise
        (77, 2, Reason.TRADE, "KXHIGHNY-25JUL01-T80"),
        (78, 2, Reason.INSIDE_BUFFER, None),
    ],
)
def test_design_high_buffer_and_tails(
    extreme: int, buffer: int, code: str, ticker: str | None
) -> None:
    decision = decide(make_input(thresholds(buffer_f=buffer), extreme=extreme))
    assert decision.reason_code == code
    if ticker is not None:
        assert decision.market_ticker == ticker


def test_design_crossed_tail_is_labelled_decided() -> None:
    decision = decide(make_input(thresholds(buffer_f=1), extreme=92))
    assert decision.is_trade and "tail already crossed" in decision.reason


@pytest.mark.parametrize(
    ("extreme", "buffer", "code", "ticker"),
    [
        # LOW headroom is the distance to the lower edge (the min can only fall)
        (62, 0, Reason.TRADE, "KXLOWTNYC-25JUL01-B62.5"),
        (62, 1, Reason.INSIDE_BUFFER, None),
        (63, 1, Reason.TRADE, "KXLOWTNYC-25JUL01-B62.5"),
        (63, 2, Reason.INSIDE_BUFFER, None),
        # crossed 'less' tail <=59: unbounded downward, decided YES
        (59, 3, Reason.TRADE, "KXLOWTNYC-25JUL01-T60"),
        (55, 4, Reason.TRADE, "KXLOWTNYC-25JUL01-T60"),
        # the 'greater' tail >=64 holding a running LOW can still be left as the min falls
        (66, 2, Reason.TRADE, "KXLOWTNYC-25JUL01-T63"),
        (65, 2, Reason.INSIDE_BUFFER, None),
    ],
)
def test_design_low_buffer_and_tails(
    extreme: int, buffer: int, code: str, ticker: str | None
) -> None:
    th = thresholds(contract_type="LOW", buffer_f=buffer)
    decision = decide(make_input(th, extreme=extreme))
    assert decision.reason_code == code
    if ticker is not None:
        assert decision.market_ticker == ticker and decision.contract_type == "LOW"


def test_design_low_crossed_tail_is_labelled_decided() -> None:
    decision = decide(make_input(thresholds(contract_type="LOW", buffer_f=1), extreme=50))
    assert decision.is_trade and "tail already crossed" in decision.reason


@pytest.mark.parametrize("ask", [None, D("1"), D("1.0000"), D("0"), D("0.0000")])
def test_design_no_quote(ask: Decimal | None) -> None:
    # domain.quotes: no ask, the empty-book 1 and a non-positive ask are all "no quote"
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": ask})
    decision = decide(make_input(ladder=ladder))
    assert (decision.action, decision.reason_code) == ("NO_TRADE", Reason.NO_QUOTE)


@pytest.mark.parametrize(
    ("ask", "code"),
    [
        (D("0.94"), Reason.TRADE),
        # below accuracy by less than the fee per contract: no edge left after fees
        (D("0.9499"), Reason.EDGE_BELOW_MIN),
        (D("0.95"), Reason.ASK_ABOVE_ACCURACY),  # equal is not below
        (D("0.96"), Reason.ASK_ABOVE_ACCURACY),
    ],
)
def test_design_ask_versus_accuracy(ask: Decimal, code: str) -> None:
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": ask})
    decision = decide(make_input(ladder=ladder))
    assert decision.reason_code == code
    if code == Reason.ASK_ABOVE_ACCURACY:
        # the rejected candidate is kept for diagnosis, but nothing is bought
        assert decision.market_ticker == "KXHIGHNY-25JUL01-B84.5" and decision.price == ask
        assert decision.count == 0 and decision.cost == 0


def test_design_edge_after_fee_below_min() -> None:
    # ask 0.94 under accuracy 0.95: 10 contracts, fee 0.0395 -> 0.04, EV 0.01 - 0.004 < 0.02
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": D("0.94")})
    decision = decide(make_input(thresholds(min_edge=D("0.02")), ladder=ladder))
    assert decision.reason_code == Reason.EDGE_BELOW_MIN
    assert decision.expected_value_per_contract == D("0.006")


def test_design_stake_below_min_with_narrow_stakes() -> None:
    # at 0.99 the most contracts within $5.50 is 5, costing $4.95 < $5
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": D("0.99")})
    th = thresholds(accuracy=D("0.995"), stake_max=D("5.50"))
    decision = decide(make_input(th, ladder=ladder))
    assert decision.reason_code == Reason.STAKE_BELOW_MIN
    assert decision.count == 0


# --- sizing and fees (the sizing rule itself: test_sizing.py) --------------------------------


@pytest.mark.parametrize("cents", range(1, 95, 3))
def test_engine_sizes_with_domain_sizing_and_fees(cents: int) -> None:
    ask = D(cents).scaleb(-2)
    decision = decide(make_input(ladder=high_ladder({B84: ask})))
    assert decision.is_trade
    assert decision.count == size_order(ask, D("5.00"), D("10.00"))
    assert decision.fee == trade_fee(decision.count, ask)
    assert decision.cost == ask * decision.count <= D("10.00")


def test_fee_comes_from_domain_fees() -> None:
    # $5 stake at 0.50: exactly 10 contracts, the reference example 0.175 -> $0.18
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": D("0.50")})
    decision = decide(make_input(thresholds(stake_max=D("5.00")), ladder=ladder))
    assert decision.count == 10
    assert decision.fee == D("0.18")
    assert decision.expected_value_per_contract == D("0.95") - D("0.50") - D("0.018")


def test_fee_multiplier_and_type_are_passed_through() -> None:
    quote = replace(high_ladder()[3], yes_ask=D("0.50"), fee_multiplier=D("2"))
    ladder = (*high_ladder()[:3], quote, *high_ladder()[4:])
    decision = decide(make_input(thresholds(stake_max=D("5.00")), ladder=ladder))
    assert decision.fee == trade_fee(10, D("0.50"), fee_multiplier=D("2")) == D("0.35")


def test_risk_limits_tighten_station_stakes() -> None:
    ladder = high_ladder({"KXHIGHNY-25JUL01-B84.5": D("0.50")})
    risk = RiskState(limits=RiskLimits(stake_max=D("6.00")))
    assert decide(make_input(ladder=ladder), risk).count == 12


def test_floats_refused() -> None:
    with pytest.raises(TypeError):
        thresholds(accuracy=0.95)
    with pytest.raises(TypeError):
        LadderQuote("X", Bracket(1, 2), 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outside"):
        LadderQuote("X", Bracket(1, 2), D("1.5"))


# --- determinism and risk gate ---------------------------------------------------------------


@pytest.mark.parametrize("rule", ["design", "fair_value"])
def test_ladder_order_and_risk_state_do_not_change_the_answer(rule: str) -> None:
    ladder = tuple(replace(q, probability=D("0.97")) for q in high_ladder())
    inp = make_input(thresholds(rule=rule), ladder=ladder)
    state = RiskState()
    decision = decide(inp, state)
    # fair value: every live bracket ties at 0.97 - 0.90; the tie goes to the lowest ticker
    assert (decision.market_ticker, decision.count, decision.fee) == (B84, 11, D("0.07"))
    assert decide(replace(inp, ladder=tuple(reversed(ladder))), state) == decision
    assert decide(inp) == decision  # an empty risk state gates nothing
    assert state == RiskState()  # deciding never changes the state it was given


def test_risk_gate_runs_last_and_keeps_the_candidate() -> None:
    inp = make_input()
    first = decide(inp, RiskState())
    assert first.is_trade
    state = record_trade(RiskState(), first.trade_key)
    again = decide(inp, state)
    assert (again.action, again.reason_code) == ("NO_TRADE", RiskReason.ONE_TRADE_PER_DAY)
    assert again.market_ticker == first.market_ticker and again.count == 0 and again.fee == 0
    # the blocked order keeps the engine's own size and fee (the backtest's hypothetical P&L)
    assert (
        (again.candidate_count, again.candidate_fee) == (first.count, first.fee) == (11, D("0.07"))
    )
    # other contract types and days are not blocked
    low = make_input(thresholds(contract_type="LOW"), extreme=62)
    assert decide(low, state).is_trade
    # a gate that fails earlier reports its own reason, not the risk limit
    assert decide(make_input(age=30), state).reason_code == Reason.STALE_OBSERVATION


def test_reason_codes_are_strings() -> None:
    decision = decide(make_input(age=30))
    assert decision.reason_code == "stale_observation"
    assert isinstance(decision.reason, str) and decision.reason


def test_every_reason_code_is_reachable() -> None:
    """One scenario per code, so a new code without a test fails here."""
    fv = thresholds(**FV)
    b84 = B84
    scenarios = {
        Reason.TRADE: make_input(),
        Reason.VERDICT_KILL: make_input(thresholds(verdict="KILL")),
        Reason.TIER_SKIP: make_input(thresholds(tier="SKIP")),
        Reason.OUTSIDE_WINDOW: make_input(now=at_minute(959)),
        Reason.NO_RUNNING_EXTREME: make_input(extreme=None),
        Reason.STALE_OBSERVATION: make_input(age=21),
        Reason.NO_BRACKET_CONTAINS: make_input(ladder=high_ladder()[:2]),
        Reason.LADDER_OVERLAP: make_input(ladder=(*high_ladder(), high_ladder()[3])),
        Reason.INSIDE_BUFFER: make_input(thresholds(buffer_f=2)),
        Reason.NO_QUOTE: make_input(ladder=high_ladder({b84: None})),
        Reason.ASK_ABOVE_ACCURACY: make_input(ladder=high_ladder({b84: D("0.96")})),
        Reason.NO_PROBABILITY: make_input(fv),
        Reason.EDGE_BELOW_MIN: make_input(fv, ladder=fv_ladder({b84: (D("0.90"), D("0.91"))})),
        Reason.STAKE_BELOW_MIN: make_input(
            thresholds(accuracy=D("0.995"), stake_max=D("5.50")),
            ladder=high_ladder({b84: D("0.99")}),
        ),
    }
    assert set(scenarios) == set(Reason)
    for code, inp in scenarios.items():
        assert decide(inp).reason_code == code, code
