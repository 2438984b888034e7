"""Readers of Kalshi object fields (orders, fills, positions, settlements): each returns a
typed value or raises :class:`OrderFormatError` naming the object kind and the field, never
``KeyError`` or ``TypeError``. Money and counts go through ``domain.money``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from domain.money import MoneyFormatError, amount, amount_from_cents, count_from, is_absent

# More than microseconds (Kalshi may send nanoseconds) is cut: datetime holds six digits.
_FRACTION = re.compile(r"(\.\d{6})\d+")

T = TypeVar("T")


class OrderFormatError(ValueError):
    """An order, fill, position or settlement object (or a request) that does not make sense."""


def json_object(obj: object, kind: str) -> Mapping[str, Any]:
    """``obj`` when it is a JSON object (a mapping)."""
    if not isinstance(obj, Mapping):
        raise OrderFormatError(f"{kind}: not a JSON object ({type(obj).__name__})")
    return obj


def checked(kind: str, read: Callable[[], T]) -> T:
    """``read()``, with a money or count format error reported as this object's."""
    try:
        return read()
    except MoneyFormatError as exc:
        raise OrderFormatError(f"{kind}: {exc}") from exc


def text(obj: Mapping[str, Any], kind: str, *names: str, required: bool = True) -> str | None:
    """The first present string among ``names``; None when none is and it is not required."""
    for name in names:
        value = obj.get(name)
        if not is_absent(value):
            if not isinstance(value, str):
                raise OrderFormatError(f"{kind}: {name} is not a string")
            return value
    if required:
        raise OrderFormatError(f"{kind}: {' or '.join(names)} missing")
    return None


def require(value: T | None, kind: str, name: str) -> T:
    """``value``, which must be present."""
    if value is None:
        raise OrderFormatError(f"{kind}: {name} missing")
    return value


def count_of(obj: Mapping[str, Any], kind: str, *names: str) -> Decimal | None:
    """The first present count among ``names`` (each as ``<name>_fp`` or legacy ``<name>``)."""
    try:
        found = (count_from(obj, name) for name in names)
        return next((value for value in found if value is not None), None)
    except MoneyFormatError as exc:
        raise OrderFormatError(f"{kind}: {exc}") from exc


def dollar_amount(obj: Mapping[str, Any], kind: str, name: str) -> Decimal | None:
    """An amount as ``<name>_dollars`` (dollars) or legacy ``<name>`` (integer cents).

    The legacy field must be a JSON integer: a string there (``"10.0000"``) may be dollars,
    and reading it as cents would be off a hundredfold.
    """
    if not is_absent(obj.get(f"{name}_dollars")):
        return checked(kind, lambda: amount(obj[f"{name}_dollars"], f"{name}_dollars"))
    cents = obj.get(name)
    if cents is None:
        return None
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise OrderFormatError(f"{kind}: {name} is not integer cents")
    return checked(kind, lambda: amount_from_cents(cents, name))


def dollar_text(obj: Mapping[str, Any], kind: str, *names: str) -> Decimal | None:
    """The first present dollar STRING among ``names`` (``fee_cost``: ``"0.0800"``); a number
    is refused, since it could as well be cents."""
    value = text(obj, kind, *names, required=False)
    return None if value is None else checked(kind, lambda: amount(value, names[0]))


def instant(obj: Mapping[str, Any], kind: str, *names: str) -> datetime | None:
    """ISO-8601 text (aware) or Unix seconds/milliseconds, as an aware UTC datetime."""
    for name in names:
        value = obj.get(name)
        if is_absent(value):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            seconds = value / 1000 if value > 10**11 else value
            try:
                return datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                raise OrderFormatError(f"{kind}: {name} {value} is not a time") from None
        if not isinstance(value, str):
            raise OrderFormatError(f"{kind}: {name} is not a time")
        try:
            parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value))
        except ValueError:
            raise OrderFormatError(f"{kind}: {name} {value[:40]!r} is not ISO-8601") from None
        if parsed.tzinfo is None:
            raise OrderFormatError(f"{kind}: {name} has no time zone")
        return parsed.astimezone(UTC)
    return None
