"""Order sizing: how many contracts one order buys. SQL twin: the ``size_order`` macro.

The design stakes $5 to $10 per trade: buy the largest whole count whose cost (ask x count,
fee excluded) is at most ``stake_max``, and skip the trade when even that costs less than
``stake_min``. The live trader, the engine and every dbt model that sizes an order use this one
rule (``tests/dbt/test_sizing_parity.py`` checks the SQL twin against it).

The fee is outside the stake, on purpose: every mart is sized this way, and a stake that moved
with the fee would make the count depend on the series' fee schedule. So the outlay (and the
worst loss) of one order is ``ask x count + fee``, which can exceed ``stake_max`` by the fee:
at most ``0.07 x stake_max x (1 - ask)`` rounded up to the cent (``domain.fees.trade_fee``,
taker, multiplier 1), i.e. under 7% of ``stake_max`` plus one cent. Example: $10 at 0.50 buys 20
contracts for $10.00 and a $0.35 fee, so a loss is -$10.35 (``tests/domain/test_sizing.py``).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def size_order(ask: Decimal, stake_min: Decimal, stake_max: Decimal) -> int:
    """Contracts to buy at ``ask``: the largest whole count costing at most ``stake_max``.

    Args:
        ask: price per contract in dollars, 0 < ask <= 1.
        stake_min: the smallest acceptable cost.
        stake_max: the largest acceptable cost.

    Returns:
        The count, or 0 when even that count costs less than ``stake_min`` (too small to bother).
    """
    if not ZERO < ask <= ONE:
        raise ValueError(f"cannot size an order at price {ask}")
    count = int((stake_max / ask).to_integral_value(rounding=ROUND_FLOOR))
    return count if count * ask >= stake_min else 0
