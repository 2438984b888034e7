"""The daily exposure cap: ``domain.risk.check_exposure`` and its limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.risk import RiskLimits, RiskReason, check_exposure

D = Decimal


def test_the_cap_defaults_to_the_design_floor_of_60_dollars() -> None:
    assert RiskLimits().max_daily_exposure == D("60.00")


@pytest.mark.parametrize(
    ("used", "cost", "expected"),
    [
        (D("0"), D("9.87"), None),
        (D("50.13"), D("9.87"), None),  # exactly at the cap: allowed
        (D("50.14"), D("9.87"), RiskReason.DAILY_EXPOSURE),
        (D("60.01"), D("0.01"), RiskReason.DAILY_EXPOSURE),
    ],
)
def test_a_trade_may_not_take_the_day_past_the_cap(
    used: Decimal, cost: Decimal, expected: str | None
) -> None:
    assert check_exposure(RiskLimits(), used, cost) == expected


def test_the_cap_is_configurable_and_must_be_positive_decimal() -> None:
    wide = RiskLimits(max_daily_exposure=D("120.00"))
    assert check_exposure(wide, D("100"), D("19.99")) is None
    with pytest.raises(ValueError, match="positive"):
        RiskLimits(max_daily_exposure=D("0"))
    with pytest.raises(TypeError):
        RiskLimits(max_daily_exposure=60.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        check_exposure(RiskLimits(), 1.0, D("1"))  # type: ignore[arg-type]
