"""Temperature conversions with the rounding NWS uses (half up, never banker's)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NINE_FIFTHS = Decimal(9) / Decimal(5)


def c_to_f(celsius: Decimal) -> Decimal:
    """Exact Fahrenheit of a Celsius value."""
    return celsius * NINE_FIFTHS + 32


def round_half_up(value: Decimal) -> int:
    """Round to the nearest integer, halves away from zero (82.5 -> 83, -0.5 -> -1)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def whole_f(celsius: Decimal) -> int:
    """Whole °F from a tenths-°C reading (the T-group round trip)."""
    return round_half_up(c_to_f(celsius))
