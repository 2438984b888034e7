"""Kalshi fixed-point money and counts: Decimal only, never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
DOLLAR_QUANTUM = Decimal("0.0001")
COUNT_QUANTUM = Decimal("0.01")


class MoneyFormatError(ValueError):
    """A price or count string that is not a valid fixed-point number."""


def parse_decimal(value: object, field: str) -> Decimal | None:
    """Parse a fixed-point string (``"0.2700"``, ``"10.00"``) exactly.

    Args:
        value: the raw value; ``None`` and ``""`` mean absent.
        field: the field name, for the error message.

    Returns:
        The Decimal, or None when absent. Floats are refused: they are already inexact.
    """
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise MoneyFormatError(f"{field}: float {value!r} refused; Kalshi sends strings")
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MoneyFormatError(f"{field}: not a number: {value!r}") from exc
    if not parsed.is_finite():
        raise MoneyFormatError(f"{field}: not finite: {value!r}")
    return parsed


def dollars(value: object, field: str = "price") -> Decimal | None:
    """A ``*_dollars`` string as Decimal dollars, checked to lie in [0, 1] for prices."""
    parsed = parse_decimal(value, field)
    if parsed is not None and not Decimal(0) <= parsed <= Decimal(1):
        raise MoneyFormatError(f"{field}: price {parsed} outside [0, 1]")
    return parsed


def cents_to_dollars(value: object, field: str = "price") -> Decimal | None:
    """A legacy integer-cent price (``27``) as Decimal dollars (``0.27``)."""
    parsed = parse_decimal(value, field)
    if parsed is None:
        return None
    return dollars(parsed / 100, field)


def price_from(record: dict[str, object], name: str) -> Decimal | None:
    """Read price ``name`` from a record: ``<name>_dollars`` if present, else legacy cents ``<name>``."""
    new = record.get(f"{name}_dollars")
    if new not in (None, ""):
        return dollars(new, f"{name}_dollars")
    return cents_to_dollars(record.get(name), name)


def count_from(record: dict[str, object], name: str) -> Decimal | None:
    """Read count ``name`` from a record: ``<name>_fp`` if present, else the legacy integer."""
    new = record.get(f"{name}_fp")
    if new not in (None, ""):
        return parse_decimal(new, f"{name}_fp")
    return parse_decimal(record.get(name), name)
