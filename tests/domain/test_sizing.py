"""Order sizing: the one rule, checked on a grid against integer arithmetic, and its fee bound.

The stake (ask x count) never exceeds ``stake_max``; the fee comes on top of it, so the worst
loss of an order is ``stake_max`` plus the order's fee, itself at most 7% of ``stake_max`` plus a
cent (``domain/sizing.py`` says why the fee is kept outside the stake).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest

from domain.fees import trade_fee
from domain.risk import order_pnl
from domain.sizing import size_order

D = Decimal
UNIT = D("0.0001")  # asks carry 4 decimals
ASKS = [D(cents).scaleb(-2) for cents in range(1, 100)] + [
    D("0.0001"),
    D("0.0137"),
    D("0.3333"),
    D("0.4567"),
    D("0.9999"),
]
STAKES = [
    (D("5.00"), D("10.00")),
    (D("5.00"), D("5.50")),
    (D("1.00"), D("1.00")),
    (D("0.01"), D("100.00")),
    (D("9.99"), D("10.00")),
]


def units(value: Decimal) -> int:
    """Whole ten-thousandths of a dollar, exact (every ask and stake here is a multiple)."""
    scaled = value / UNIT
    assert scaled == scaled.to_integral_value()
    return int(scaled)


def expected_count(ask: Decimal, stake_min: Decimal, stake_max: Decimal) -> int:
    """The rule in integer arithmetic: floor(stake_max / ask), or 0 if that costs < stake_min."""
    count = units(stake_max) // units(ask)
    return count if count * units(ask) >= units(stake_min) else 0


@pytest.mark.parametrize(("stake_min", "stake_max"), STAKES)
def test_size_order_matches_integer_arithmetic_on_the_grid(
    stake_min: Decimal, stake_max: Decimal
) -> None:
    for ask in ASKS:
        count = size_order(ask, stake_min, stake_max)
        assert count == expected_count(ask, stake_min, stake_max), ask
        if count:
            # largest within the maximum: one more contract would cost too much
            assert stake_min <= count * ask <= stake_max < (count + 1) * ask, ask


@pytest.mark.parametrize(
    ("ask", "count"),
    [
        (D("0.97"), 10),
        (D("0.50"), 20),  # exactly $10.00: the maximum itself is allowed
        (D("0.90"), 11),
        (D("0.03"), 333),
        (D("0.01"), 1000),
        (D("1"), 10),
    ],
)
def test_size_order_at_the_design_stakes(ask: Decimal, count: int) -> None:
    assert size_order(ask, D("5"), D("10")) == count


def test_size_order_below_min_is_zero() -> None:
    # at 0.99 the most within $5.50 is 5 contracts = $4.95 < $5; at 0.50, 11 = $5.50
    assert size_order(D("0.99"), D("5"), D("5.50")) == 0
    assert size_order(D("0.50"), D("5"), D("5.50")) == 11


@pytest.mark.parametrize("ask", [D("0"), D("-0.01"), D("1.01")])
def test_size_order_refuses_what_is_not_a_price(ask: Decimal) -> None:
    with pytest.raises(ValueError, match="price"):
        size_order(ask, D("5"), D("10"))


def test_the_fee_is_outside_the_stake() -> None:
    # the backtest's -$10.35 on a $10 maximum: $10.00 of contracts plus a $0.35 fee
    count = size_order(D("0.50"), D("5.00"), D("10.00"))
    fee = trade_fee(count, D("0.50"))
    assert (count, count * D("0.50"), fee) == (20, D("10.00"), D("0.35"))
    assert order_pnl(count, D("0.50"), fee, won=False) == D("-10.35")


@pytest.mark.parametrize(("stake_min", "stake_max"), STAKES)
def test_worst_loss_is_the_stake_plus_a_bounded_fee(stake_min: Decimal, stake_max: Decimal) -> None:
    for ask in ASKS:
        count = size_order(ask, stake_min, stake_max)
        if not count:
            continue
        fee = trade_fee(count, ask)
        loss = -order_pnl(count, ask, fee, won=False)
        assert loss == count * ask + fee <= stake_max + fee, ask
        bound = (D("0.07") * stake_max * (1 - ask)).quantize(D("0.01"), rounding=ROUND_CEILING)
        assert fee <= bound, ask
        assert fee <= D("0.07") * stake_max + D("0.01"), ask


def test_largest_fee_on_the_design_stakes() -> None:
    # the cent grid's worst case at $10: 1000 contracts at 0.01, fee ceil(0.693) = $0.70
    fees = {ask: trade_fee(size_order(ask, D("5"), D("10")), ask) for ask in ASKS[:99]}
    worst = max(fees, key=lambda ask: fees[ask])
    assert (worst, fees[worst]) == (D("0.01"), D("0.70"))
