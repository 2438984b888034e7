"""The per-bracket view agrees with ``decide``: same bracket, probability, count, fee and edge."""

from __future__ import annotations

from domain.decision import decide
from domain.decision_input import DecisionInput
from domain.ladder_view import BracketView, ladder_view
from tests.domain.engine_cases import B84, FV, D, fv_ladder, high_ladder, make_input, thresholds


def _view(inp: DecisionInput) -> tuple[BracketView, ...]:
    return ladder_view(inp.ladder, inp.contract_type, inp.running_extreme_f, inp.thresholds)


def test_design_view_prices_only_the_bracket_holding_the_extreme_as_decide_does() -> None:
    inp = make_input(extreme=84)
    views = {v.quote.market_ticker: v for v in _view(inp)}
    decision = decide(inp)
    held = views[B84]
    assert held.holds_extreme and not held.dead
    assert held.headroom_f == 1  # 84 in 84..85: one degree before the upper edge
    assert held.order is not None
    assert (held.order.count, held.order.fee, held.order.ev) == (
        decision.count,
        decision.fee,
        decision.expected_value_per_contract,
    )
    assert held.probability == decision.probability == D("0.95")
    below = views["KXHIGHNY-25JUL01-B82.5"]
    assert below.dead and below.probability == 0 and below.order is not None
    assert below.order.ev == 0 - D("0.90") - below.order.fee / below.order.count
    above = views["KXHIGHNY-25JUL01-B86.5"]
    assert not above.dead and above.probability is None and above.order is None


def test_view_is_sorted_low_to_high_whatever_the_ladder_order() -> None:
    ladder = tuple(reversed(high_ladder()))
    views = _view(make_input(ladder=ladder))
    lowers = [v.quote.bracket.lower for v in views]
    assert lowers[0] is None and lowers[1:] == [80, 82, 84, 86, 88]


def test_fair_value_view_uses_the_model_probability_and_matches_decide() -> None:
    ladder = fv_ladder({B84: (D("0.60"), D("0.80")), "KXHIGHNY-25JUL01-B86.5": (D("0.10"), None)})
    inp = make_input(thresholds(**FV), ladder=ladder)
    views = {v.quote.market_ticker: v for v in _view(inp)}
    decision = decide(inp)
    assert decision.market_ticker == B84
    order = views[B84].order
    assert order is not None
    assert order.ev == decision.expected_value_per_contract
    assert views["KXHIGHNY-25JUL01-B86.5"].probability is None


def test_without_a_running_extreme_only_prices_show() -> None:
    views = _view(make_input(extreme=None))
    assert all(not v.holds_extreme and not v.dead and v.headroom_f is None for v in views)
    assert all(v.order is None for v in views)


def test_without_thresholds_only_dead_brackets_are_priced() -> None:
    inp = make_input(extreme=84)
    views = ladder_view(inp.ladder, "HIGH", 84, None)
    priced = [v.quote.market_ticker for v in views if v.probability is not None]
    assert priced == ["KXHIGHNY-25JUL01-T80", "KXHIGHNY-25JUL01-B80.5", "KXHIGHNY-25JUL01-B82.5"]
    assert all(v.order is None for v in views)
    assert [v.headroom_f for v in views if v.holds_extreme] == [1]
