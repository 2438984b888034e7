"""The one fee function: Kalshi's quadratic fee, rounded up to the cent per order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.fees import trade_fee


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
