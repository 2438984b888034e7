"""The decision engine's fair-value rule: the largest ``p - ask - fee/count`` if >= min_edge."""

from __future__ import annotations

from dataclasses import replace

from domain.decision import Reason, decide
from domain.fees import trade_fee
from tests.domain.engine_cases import (
    FV,
    D,
    fv_ladder,
    low_ladder,
    make_input,
    thresholds,
)


def test_fair_value_picks_largest_edge() -> None:
    ladder = fv_ladder(
        {
            "KXHIGHNY-25JUL01-B84.5": (D("0.60"), D("0.70")),  # edge ~0.0835
            "KXHIGHNY-25JUL01-B86.5": (D("0.20"), D("0.35")),  # edge ~0.139
            "KXHIGHNY-25JUL01-T87": (D("0.05"), D("0.06")),  # edge < 0
        }
    )
    decision = decide(make_input(thresholds(**FV), ladder=ladder))
    assert decision.action == "BUY_YES"
    assert decision.market_ticker == "KXHIGHNY-25JUL01-B86.5"
    assert decision.count == 50 and decision.cost == D("10.00")
    assert decision.fee == trade_fee(50, D("0.20")) == D("0.56")
    assert decision.probability == D("0.35")
    assert decision.expected_value_per_contract == D("0.35") - D("0.20") - D("0.56") / 50


def test_fair_value_edge_exactly_min_trades_and_below_does_not() -> None:
    # p 0.6112 at ask 0.50: fee 20 x 0.5 x 0.5 x 0.07 = 0.35 -> 0.0175/contract; edge = 0.0937
    ladder = fv_ladder({"KXHIGHNY-25JUL01-B84.5": (D("0.50"), D("0.6112"))})
    at_min = thresholds(rule="fair_value", min_edge=D("0.0937"))
    assert decide(make_input(at_min, ladder=ladder)).reason_code == Reason.TRADE
    above = thresholds(rule="fair_value", min_edge=D("0.0938"))
    decision = decide(make_input(above, ladder=ladder))
    assert decision.reason_code == Reason.EDGE_BELOW_MIN
    assert decision.market_ticker == "KXHIGHNY-25JUL01-B84.5" and decision.count == 0


def test_fair_value_no_probability() -> None:
    assert decide(make_input(thresholds(**FV))).reason_code == Reason.NO_PROBABILITY


def test_fair_value_no_quote_on_any_priced_bracket() -> None:
    ladder = fv_ladder(
        {
            "KXHIGHNY-25JUL01-B84.5": (None, D("0.90")),
            "KXHIGHNY-25JUL01-B86.5": (D("1.0000"), D("0.10")),
            # an ask of 0 is no quote either (domain.quotes), not a free contract
            "KXHIGHNY-25JUL01-T87": (D("0"), D("0.50")),
        }
    )
    assert decide(make_input(thresholds(**FV), ladder=ladder)).reason_code == Reason.NO_QUOTE


def test_fair_value_skips_dead_brackets_whatever_the_model_says() -> None:
    # running high 84: 80-81 can no longer settle YES, even at a tempting 0.02
    ladder = fv_ladder(
        {
            "KXHIGHNY-25JUL01-B80.5": (D("0.02"), D("0.50")),
            "KXHIGHNY-25JUL01-B84.5": (D("0.80"), D("0.90")),
        }
    )
    decision = decide(make_input(thresholds(**FV), ladder=ladder))
    assert decision.market_ticker == "KXHIGHNY-25JUL01-B84.5"


def test_fair_value_low_skips_brackets_above_running_min() -> None:
    ladder = tuple(
        replace(
            q, yes_ask=D("0.10"), probability=D("0.60") if "T63" in q.market_ticker else D("0.50")
        )
        for q in low_ladder()
    )
    th = thresholds(contract_type="LOW", **FV)
    decision = decide(make_input(th, extreme=61, ladder=ladder))
    # >=64 is dead for a running min of 61; ties between the rest go to the lowest ticker
    assert decision.market_ticker == "KXLOWTNYC-25JUL01-B60.5"


def test_fair_value_stake_below_min() -> None:
    ladder = fv_ladder({"KXHIGHNY-25JUL01-B84.5": (D("0.99"), D("1"))})
    th = thresholds(rule="fair_value", stake_max=D("5.50"))
    assert decide(make_input(th, ladder=ladder)).reason_code == Reason.STAKE_BELOW_MIN


def test_fair_value_ladder_order_does_not_matter() -> None:
    ladder = fv_ladder(
        {
            "KXHIGHNY-25JUL01-B84.5": (D("0.40"), D("0.50")),
            "KXHIGHNY-25JUL01-B86.5": (D("0.40"), D("0.50")),  # an exact tie
        }
    )
    th = thresholds(**FV)
    forward = decide(make_input(th, ladder=ladder))
    backward = decide(make_input(th, ladder=tuple(reversed(ladder))))
    assert forward == backward
    assert forward.market_ticker == "KXHIGHNY-25JUL01-B84.5"
