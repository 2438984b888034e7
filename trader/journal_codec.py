"""How the journal stores values: exact decimals and aware UTC instants as TEXT."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal


def to_text(value: Decimal | None) -> str | None:
    """A Decimal as a plain decimal string (``"0.4500"``); floats are refused."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__} (no float in the journal)")
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    return format(value, "f")


def from_text(value: str | None) -> Decimal | None:
    """The Decimal of a stored decimal string (None stays None)."""
    return None if value is None else Decimal(value)


def to_iso(at: datetime) -> str:
    """An aware instant as fixed-width ISO 8601 UTC (sorts as text); naive ones are refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("journal timestamps must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> datetime | None:
    """The aware UTC instant of a stored ISO string (None stays None)."""
    return None if value is None else datetime.fromisoformat(value)


def to_day(value: date) -> str:
    """A date as ``YYYY-MM-DD``."""
    return value.isoformat()
