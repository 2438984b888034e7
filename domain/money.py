"""Kalshi fixed-point money and counts: Decimal only, never float. The one home of these rules.

Two views of the same rules: Decimal values (:func:`dollars`, :func:`cents_to_dollars`,
:func:`count`...) for code that computes, and canonical text (:func:`dollars_text`: ``"0.2700"``;
:func:`count_text`: ``"10.00"``) for the raw tables, which store the wire form normalised.
Every input goes through :func:`parse_decimal`, bounded first by :mod:`domain.bounds`: a Decimal of an unbounded
string or exponent can take unbounded time and memory to format or quantize.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from domain.bounds import BoundsError, bounded_decimal, check_count, check_price, shown

CENT = Decimal("0.01")
DOLLAR_QUANTUM = Decimal("0.0001")
COUNT_QUANTUM = Decimal("0.01")

_HUNDRED = Decimal(100)
# Parsed raw value -> canonical text; failures raise and are never cached.
_CACHE_SIZE = 65536


class MoneyFormatError(ValueError):
    """A price or count that is not a valid, bounded fixed-point number."""


def is_absent(value: object) -> bool:
    """Kalshi's convention: ``None`` and an empty string mean the field has no value."""
    return value is None or value == ""


def parse_decimal(value: object, field: str) -> Decimal | None:
    """Parse a fixed-point value (``"0.2700"``, ``"10.00"``, legacy integer ``27``) exactly.

    Args:
        value: the raw value; ``None`` and ``""`` mean absent.
        field: the field name, for the error message.

    Returns:
        The Decimal, or None when absent.

    Raises:
        MoneyFormatError: a float or boolean (floats are already inexact), a non-number, a
            non-finite number, or one beyond :func:`domain.bounds.bounded_decimal`'s bounds.
    """
    if is_absent(value):
        return None
    if isinstance(value, bool):
        raise MoneyFormatError(f"{field}: boolean {value!r} is not a number")
    if isinstance(value, float):
        raise MoneyFormatError(f"{field}: float {value!r} refused; Kalshi sends strings")
    try:
        return bounded_decimal(value, field)
    except BoundsError as exc:
        raise MoneyFormatError(str(exc)) from exc


def _price(parsed: Decimal, field: str, raw: object) -> Decimal:
    try:
        check_price(parsed, field, raw)
    except BoundsError as exc:
        raise MoneyFormatError(str(exc)) from exc
    return parsed


def _from_cents(parsed: Decimal) -> Decimal:
    # Through plain text, so the value reads as it would have been written in dollars.
    return Decimal(format(parsed / _HUNDRED, "f"))


def dollars(value: object, field: str = "price") -> Decimal | None:
    """A ``*_dollars`` contract price (``"0.2700"``) as Decimal dollars in [0, 1]; None if absent."""
    parsed = parse_decimal(value, field)
    return None if parsed is None else _price(parsed, field, value)


def cents_to_dollars(value: object, field: str = "price") -> Decimal | None:
    """A legacy integer-cent price (``27``) as Decimal dollars (``0.27``), in [0, 1].

    A price outside the range is reported as given, in cents (``150``, not ``1.5``).
    """
    parsed = parse_decimal(value, field)
    if parsed is None:
        return None
    try:
        check_price(parsed / _HUNDRED, field, value)
    except BoundsError as exc:
        raise MoneyFormatError(f"{field}: {shown(value)} cents outside 0..100") from exc
    return _from_cents(parsed)


def amount(value: object, field: str) -> Decimal | None:
    """A dollar amount that is not a contract price (liquidity, notional): unbounded."""
    return parse_decimal(value, field)


def amount_from_cents(value: object, field: str) -> Decimal | None:
    """A legacy integer-cent amount (``1271700``) as Decimal dollars, unbounded."""
    parsed = parse_decimal(value, field)
    return None if parsed is None else parsed / _HUNDRED


def count(value: object, field: str = "count") -> Decimal | None:
    """A ``*_fp`` contract count (``"10.00"``) or legacy integer count, at least 0; None if absent."""
    parsed = parse_decimal(value, field)
    if parsed is not None:
        try:
            check_count(parsed, field, value)
        except BoundsError as exc:
            raise MoneyFormatError(str(exc)) from exc
    return parsed


def _new_or_legacy(
    record: Mapping[str, object],
    new_key: str,
    name: str,
    new: Callable[[object, str], Decimal | None],
    old: Callable[[object, str], Decimal | None],
) -> Decimal | None:
    value = record.get(new_key)
    return new(value, new_key) if not is_absent(value) else old(record.get(name), name)


def price_from(record: Mapping[str, object], name: str) -> Decimal | None:
    """Price ``name`` of a record: ``<name>_dollars`` if present, else legacy cents ``<name>``."""
    return _new_or_legacy(record, f"{name}_dollars", name, dollars, cents_to_dollars)


def count_from(record: Mapping[str, object], name: str) -> Decimal | None:
    """Count ``name`` of a record: ``<name>_fp`` if present, else the legacy integer ``<name>``."""
    return _new_or_legacy(record, f"{name}_fp", name, count, count)


# --------------------------------------------------------------------------------------------
# Canonical text (the raw tables' form)
# --------------------------------------------------------------------------------------------


def _quantized(value: Decimal, quantum: Decimal, field: str) -> str:
    try:
        return format(value.quantize(quantum), "f")
    except InvalidOperation as exc:  # more digits than the context's precision
        raise MoneyFormatError(f"{field}: {value} too large for {quantum} steps") from exc


def format_dollars(value: Decimal, field: str = "price") -> str:
    """Dollars as canonical 4-dp text (``Decimal("0.27")`` -> ``"0.2700"``)."""
    return _quantized(value, DOLLAR_QUANTUM, field)


def format_count(value: Decimal, field: str = "count") -> str:
    """A count as canonical 2-dp text (``Decimal("10")`` -> ``"10.00"``)."""
    return _quantized(value, COUNT_QUANTUM, field)


def _key(value: object) -> object:
    # Booleans hash like 0 and 1 and floats are refused, so neither may reach a cache key.
    # Ints are their own key: str() of one over 4,300 digits raises.
    if isinstance(value, bool | float | int):
        return value
    return str(value).strip()


def _exact(value: Decimal, field: str) -> str:
    # Whole numbers lose their trailing zeros ("72.0" -> "72"); fractions keep their digits.
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


_Parse = Callable[[object, str], Decimal | None]
_Render = Callable[[Decimal, str], str]
_TEXT_RULES: dict[str, tuple[_Parse, _Render]] = {
    "dollars": (dollars, format_dollars),
    "cents": (cents_to_dollars, format_dollars),
    "count": (count, format_count),
    "number": (parse_decimal, _exact),
}


@lru_cache(maxsize=_CACHE_SIZE)
def _canonical(rule: str, key: object, field: str) -> str:
    parse, render = _TEXT_RULES[rule]
    parsed = parse(key, field)
    if parsed is None:  # present but blank once stripped ("  ")
        raise MoneyFormatError(f"{field}: blank value")
    return render(parsed, field)


def dollars_text(value: object, field: str = "price") -> str | None:
    """A ``*_dollars`` price as canonical text (``"0.27"`` -> ``"0.2700"``); None if absent.

    Args:
        value: the raw value.
        field: the field name, for the error message.

    Returns:
        Canonical text, or None.
    """
    return None if is_absent(value) else _canonical("dollars", _key(value), field)


def cents_text(value: object, field: str = "price") -> str | None:
    """A legacy integer-cent price (``27``) as canonical dollar text (``"0.2700"``)."""
    return None if is_absent(value) else _canonical("cents", _key(value), field)


def amount_text(value: object, field: str) -> str | None:
    """A dollar amount (not a price: unbounded) as canonical 4-dp text; None if absent."""
    parsed = amount(value, field)
    return None if parsed is None else format_dollars(parsed, field)


def amount_cents_text(value: object, field: str) -> str | None:
    """A legacy integer-cent amount (``1271700``) as canonical dollar text (unbounded)."""
    parsed = amount_from_cents(value, field)
    return None if parsed is None else format_dollars(parsed, field)


def count_text(value: object, field: str = "count") -> str | None:
    """A ``*_fp`` count (or legacy integer) as canonical 2-dp text (``"10.00"``); None if absent."""
    return None if is_absent(value) else _canonical("count", _key(value), field)


def number_text(value: object, field: str) -> str | None:
    """A strike as exact text without trailing zeros on whole numbers (``"72.0"`` -> ``"72"``).

    Strikes arrive as JSON numbers, so a float is taken through its shortest repr here (exact
    enough for a strike), unlike prices and counts.

    Args:
        value: the raw value.
        field: the field name, for the error message.

    Returns:
        Exact text, or None when absent.
    """
    if is_absent(value):
        return None
    if isinstance(value, float):
        value = repr(value)
    return _canonical("number", _key(value), field)
