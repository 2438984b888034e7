"""The one fee rule: Kalshi's quadratic fee per fill to $0.0001, rounded up to the cent per order."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest

from domain.fees import order_fee, trade_fee


def test_worked_example_taker() -> None:
    # 0.07 x 10 x 0.50 x 0.50 = 0.175 -> rounded up to $0.18 (never per contract: 10 x 0.02)
    assert trade_fee(10, Decimal("0.50")) == Decimal("0.18")


def test_one_contract_rounds_up_to_a_cent() -> None:
    assert trade_fee(1, Decimal("0.50")) == Decimal("0.02")  # 0.0175 -> 0.02
    assert trade_fee(100, Decimal("0.01")) == Decimal("0.07")  # 0.0693 -> 0.07


def test_makers_pay_only_under_maker_fee_schedules() -> None:
    assert trade_fee(10, Decimal("0.50"), role="maker") == Decimal("0.00")
    assert trade_fee(10, Decimal("0.50"), role="maker", fee_type="quadratic") == Decimal("0.00")
    # 0.0175 x 10 x 0.25 = 0.04375 -> 0.05
    assert trade_fee(
        10, Decimal("0.50"), role="maker", fee_type="quadratic_with_maker_fees"
    ) == Decimal("0.05")


def test_multiplier_scales_the_rate() -> None:
    assert trade_fee(10, Decimal("0.50"), fee_multiplier=Decimal(2)) == Decimal("0.35")
    assert trade_fee(10, Decimal("0.50"), fee_multiplier=Decimal("0.5")) == Decimal("0.09")


def test_exact_cent_is_not_bumped() -> None:
    # 0.07 x 100 x 0.50 x 0.50 = 1.75 exactly
    assert trade_fee(100, Decimal("0.50")) == Decimal("1.75")


@pytest.mark.parametrize("price", [Decimal(0), Decimal(1)])
def test_certain_prices_cost_nothing(price: Decimal) -> None:
    assert trade_fee(10, price) == Decimal("0.00")


def test_price_outside_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        trade_fee(1, Decimal("1.01"))


def test_an_order_over_several_prices_is_rounded_once() -> None:
    # 0.07 x (4 x .7 x .3 + 3 x .75 x .25): 0.0588 + 0.039375 -> 0.0394 = 0.0982 -> 0.10
    fills = [(4, Decimal("0.70")), (3, Decimal("0.75"))]
    assert order_fee(fills) == Decimal("0.10")
    # 1 each at .70, .71, .72: 0.0147 + 0.0145 (0.014413) + 0.0142 (0.014112) = 0.0434 -> 0.05,
    # where a fee rounded to the cent per level would be 0.06
    three = [(1, Decimal("0.70")), (1, Decimal("0.71")), (1, Decimal("0.72"))]
    assert order_fee(three) == Decimal("0.05")
    assert sum(trade_fee(count, price) for count, price in three) == Decimal("0.06")


def test_each_fill_is_rounded_up_to_a_hundredth_of_a_cent_first() -> None:
    # 0.07 x 1 x .01 x .99 = 0.000693 -> 0.0007 per fill; 15 fills: 0.0105 -> 0.02, where the
    # unrounded sum 0.010395 would round to 0.02 too; 14 fills: 0.0098 -> 0.01 (raw 0.009702)
    assert order_fee([(1, Decimal("0.01"))] * 15) == Decimal("0.02")
    assert order_fee([(1, Decimal("0.01"))] * 14) == Decimal("0.01")
    # 0.07 x .5 x .5 = 0.0175 per contract; two fills of 1 = 0.0350 -> 0.04 (one fill of 2: 0.04)
    assert order_fee([(1, Decimal("0.50")), (1, Decimal("0.50"))]) == trade_fee(2, Decimal("0.50"))


def test_one_price_order_fee_is_trade_fee_on_a_grid() -> None:
    """One fill: rounding to $0.0001 first never changes the cent (the SQL twin's single price)."""
    for cents in range(0, 101):
        price = Decimal(cents) / 100
        for count in (1, 2, 3, 7, 10, 33, 100, 250):
            raw = Decimal("0.07") * count * price * (1 - price)
            expected = (raw * 100).to_integral_value(rounding=ROUND_CEILING) / 100
            assert trade_fee(count, price) == expected == order_fee([(count, price)])


def test_order_fee_of_nothing_and_of_makers() -> None:
    assert order_fee([]) == Decimal("0.00")
    fills = [(10, Decimal("0.50")), (5, Decimal("0.40"))]
    assert order_fee(fills, role="maker") == Decimal("0.00")
    # 0.0175 x (2.5 + 1.2) = 0.06475 -> 0.0438 + 0.0210 = 0.0648 -> 0.07
    assert order_fee(fills, role="maker", fee_type="quadratic_with_maker_fees") == Decimal("0.07")
    with pytest.raises(ValueError, match="outside"):
        order_fee([(1, Decimal("0.50")), (1, Decimal("-0.01"))])
