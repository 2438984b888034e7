"""What an input number may be: input bounds (before conversion) and physical bounds.

Input bounds come first: a number's text is at most :data:`MAX_NUMBER_TEXT` characters with at
most :data:`MAX_DIGITS` significant digits and a magnitude within 1e+-:data:`MAX_EXPONENT`,
checked before anything converts it. ``int()``, ``format(.., 'f')`` or a Decimal quantize of
``"1e999999999"`` takes unbounded time and memory; an 11-character string must not stall a load.

Physical bounds say what a weather or market value can be; a value outside them is a broken
input (a sentinel like ``-9999``, a unit mix-up, a corrupt file), never data:

* temperatures (air, dew point, daily high/low) within -100..140 °F (the US records are
  -80 °F and 134 °F), i.e. about -73.3..60 °C;
* the dew point at most the air temperature plus :data:`DEWPOINT_TOLERANCE_F`;
* a daily low at most the daily high;
* counts (volume, open interest, trades, sizes) within 0..1e15 (no market trades a
  quadrillion contracts; the bound keeps every count inside a BIGINT column);
* contract prices within 0..1 dollars.

Every check raises :class:`BoundsError` (a ``ValueError``) naming the field and the value as
given, so the loaders turn it into a reject a person can act on.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

MAX_NUMBER_TEXT = 64
MAX_DIGITS = 30
MAX_EXPONENT = 30
_INT_LIMIT = 10**MAX_DIGITS
_REPR_BITS = 10_000  # about 3,000 digits: repr() is still allowed and cheap
# Real JSON payloads nest 3 or 4 deep ({"results": [{...}]}); json.loads recurses per level,
# so a document nested 200,000 deep would exhaust the recursion limit.
MAX_JSON_DEPTH = 32
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')

TEMP_F_MIN = Decimal(-100)
TEMP_F_MAX = Decimal(140)
# The same bounds in °C, exactly: (F - 32) * 5 / 9.
TEMP_C_MIN = (TEMP_F_MIN - 32) * 5 / 9
TEMP_C_MAX = (TEMP_F_MAX - 32) * 5 / 9
# Dew point cannot exceed the air temperature; the tolerance absorbs rounding of the two
# reported values: without a T group both come from whole-°C body values rounded separately
# (up to 1 °C = 1.8 °F apart at saturation), so anything within 2 °F is a rounding artefact.
DEWPOINT_TOLERANCE_F = Decimal(2)
PRICE_MIN = Decimal(0)
PRICE_MAX = Decimal(1)
COUNT_MIN = Decimal(0)
COUNT_MAX = Decimal(10**15)

Number = int | float | Decimal


class BoundsError(ValueError):
    """A value beyond the input bounds or outside its physical range; the message says which."""


def shown(raw: object, limit: int = 40) -> str:
    """The value as given, for a message: its repr, cut to ``limit`` characters."""
    if isinstance(raw, int) and raw.bit_length() > _REPR_BITS:
        return f"<a {raw.bit_length()}-bit integer>"  # repr() refuses over 4,300 digits
    text = repr(raw)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"


def bounded_decimal(value: object, field: str) -> Decimal:
    """A number (text, int, float or Decimal) as an exact Decimal, bounded before conversion.

    Args:
        value: the raw value (a float is taken through its shortest repr).
        field: the field name, for the error message.

    Returns:
        The Decimal.

    Raises:
        BoundsError: not a number, not finite, more than :data:`MAX_NUMBER_TEXT` characters or
            :data:`MAX_DIGITS` digits, or a magnitude beyond 1e+-:data:`MAX_EXPONENT`.
    """
    if isinstance(value, bool):
        raise BoundsError(f"{field}: boolean {value!r} is not a number")
    if isinstance(value, int):
        # Compared as an int: str() of a huge int is itself quadratic.
        if abs(value) >= _INT_LIMIT:
            raise BoundsError(f"{field}: more than {MAX_DIGITS} digits: {shown(value)}")
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BoundsError(f"{field}: not finite: {value!r}")
        value = repr(value)
    if isinstance(value, Decimal):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise BoundsError(f"{field}: longer than {MAX_NUMBER_TEXT} characters: {shown(value)}")
        try:
            parsed = Decimal(text)
        except InvalidOperation as exc:
            raise BoundsError(f"{field}: not a number: {shown(value)}") from exc
    else:
        raise BoundsError(f"{field}: not a number: {shown(value)}")
    if not parsed.is_finite():
        raise BoundsError(f"{field}: not finite: {shown(value)}")
    if len(parsed.as_tuple().digits) > MAX_DIGITS:
        raise BoundsError(f"{field}: more than {MAX_DIGITS} digits: {shown(value)}")
    if abs(parsed.adjusted()) > MAX_EXPONENT:
        raise BoundsError(f"{field}: magnitude beyond 1e+-{MAX_EXPONENT}: {shown(value)}")
    return parsed


def bounded_whole(value: object, field: str) -> int:
    """A whole number (``72``, ``"72"``, ``72.0``) as an int, bounded before conversion.

    Raises:
        BoundsError: as :func:`bounded_decimal`, or the number has a fraction.
    """
    parsed = bounded_decimal(value, field)
    if parsed != parsed.to_integral_value():
        raise BoundsError(f"{field}: not a whole number: {shown(value)}")
    return int(parsed)


def check_json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise :class:`BoundsError` if JSON text nests arrays/objects deeper than ``limit``.

    One linear scan (strings are skipped whole), so it is safe to run before ``json.loads``.
    """
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > limit:
                raise BoundsError(f"JSON nested deeper than {limit} levels")
        elif char in "]}":
            depth -= 1


def _within(value: Number, low: Decimal, high: Decimal) -> bool:
    # Floats compare exactly with Decimals; NaN compares false, so it is never within.
    return low <= value <= high


def check_temperature_f(value: Number, field: str, raw: object = None) -> None:
    """Raise :class:`BoundsError` unless ``value`` °F is within -100..140 (``raw`` is shown)."""
    if not _within(value, TEMP_F_MIN, TEMP_F_MAX):
        given = shown(value if raw is None else raw)
        raise BoundsError(f"{field}: {given} outside {TEMP_F_MIN}..{TEMP_F_MAX} °F")


def check_temperature_c(value: Number, field: str, raw: object = None) -> None:
    """Raise :class:`BoundsError` unless ``value`` °C is within the same bounds (-73.3..60 °C)."""
    if not _within(value, TEMP_C_MIN, TEMP_C_MAX):
        given = shown(value if raw is None else raw)
        raise BoundsError(f"{field}: {given} outside {TEMP_C_MIN:.1f}..{TEMP_C_MAX:.1f} °C")


def check_dewpoint_f(temp_f: Number, dewpoint_f: Number) -> None:
    """Raise :class:`BoundsError` if the dew point exceeds the temperature beyond the tolerance."""
    if Decimal(dewpoint_f) > Decimal(temp_f) + DEWPOINT_TOLERANCE_F:
        raise BoundsError(
            f"dew point {shown(dewpoint_f)} °F above temperature {shown(temp_f)} °F "
            f"(+{DEWPOINT_TOLERANCE_F} °F tolerance)"
        )


def check_daily_range(high: Number | None, low: Number | None) -> None:
    """Raise :class:`BoundsError` if a daily low exceeds the daily high (either may be absent)."""
    if high is not None and low is not None and low > high:
        raise BoundsError(f"low {shown(low)} above high {shown(high)}")


def check_count(value: Number, field: str, raw: object = None) -> None:
    """Raise :class:`BoundsError` unless a count is within 0..:data:`COUNT_MAX`."""
    given = shown(value if raw is None else raw)
    if value < COUNT_MIN:
        raise BoundsError(f"{field}: {given} is negative")
    if value > COUNT_MAX:
        raise BoundsError(f"{field}: {given} above {COUNT_MAX:.0e}")


def check_price(value: Number, field: str, raw: object = None) -> None:
    """Raise :class:`BoundsError` unless a contract price is within 0..1 dollars."""
    if not PRICE_MIN <= value <= PRICE_MAX:
        given = shown(value if raw is None else raw)
        raise BoundsError(f"{field}: {given} outside [{PRICE_MIN}, {PRICE_MAX}] dollars")
