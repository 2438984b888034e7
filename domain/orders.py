"""Order identity and lifecycle: the dedup key, the deterministic client order id, statuses,
and what a broker (paper or live) reports back: fills and the execution.

One trade per (climate date, station, contract type) is the design's rule. The key
``{climate_date}_{station}_{HIGH|LOW}`` is UNIQUE in the journal, and the client order id sent
to the venue is derived from it alone, so a restarted trader recomputes the same id and the
venue (live) or the journal (paper) refuses a second order for the same key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.brackets import Bracket

CLIENT_ORDER_ID_PREFIX = "kw-"
CLIENT_ORDER_ID_MAX = 64
# Kalshi accepts ``^[-\w:+=/]*$`` (docs/venues.md, "Orders"); we stay inside the ASCII subset of it.
_CLIENT_ID_OK = re.compile(r"^[-A-Za-z0-9_:+=/]+$")
CONTRACT_TYPES = frozenset({"HIGH", "LOW"})


class OrderStatus(StrEnum):
    """Where an order is in its life. ``unknown`` = the send's outcome is ambiguous."""

    INTENT = "intent"
    SENT = "sent"
    FILLED = "filled"
    PARTIAL = "partial"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


# Allowed moves; ``unknown`` resolves only by reading the venue back (never by a resend).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.INTENT: frozenset(
        {
            OrderStatus.SENT,
            OrderStatus.REJECTED,
            OrderStatus.UNKNOWN,
            OrderStatus.FILLED,
            OrderStatus.PARTIAL,
        }
    ),
    OrderStatus.SENT: frozenset(
        {OrderStatus.FILLED, OrderStatus.PARTIAL, OrderStatus.REJECTED, OrderStatus.UNKNOWN}
    ),
    OrderStatus.UNKNOWN: frozenset(
        {OrderStatus.SENT, OrderStatus.FILLED, OrderStatus.PARTIAL, OrderStatus.REJECTED}
    ),
    OrderStatus.PARTIAL: frozenset({OrderStatus.PARTIAL, OrderStatus.FILLED}),
    OrderStatus.FILLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}


def dedup_key(climate_date: date, station_icao: str, contract_type: str) -> str:
    """The one-trade-per-day key, e.g. ``2026-02-19_KMIA_HIGH``.

    Args:
        climate_date: the contract's climate date (local standard time).
        station_icao: settlement station.
        contract_type: ``HIGH`` or ``LOW``.

    Returns:
        The key.
    """
    contract = contract_type.upper()
    if contract not in CONTRACT_TYPES:
        raise ValueError(f"contract_type must be HIGH or LOW, got {contract_type!r}")
    station = station_icao.strip().upper()
    if not station.isalnum():
        raise ValueError(f"bad station id {station_icao!r}")
    return f"{climate_date.isoformat()}_{station}_{contract}"


def client_order_id(key: str) -> str:
    """The client order id of a dedup key: deterministic, <= 64 chars, venue-safe.

    Args:
        key: a ``dedup_key``.

    Returns:
        ``kw-<key>`` when that is short and uses only allowed characters, else ``kw-`` and the
        first 40 hex digits of the key's SHA-256 (same key, same id, on every restart).
    """
    if not key:
        raise ValueError("empty dedup key")
    plain = CLIENT_ORDER_ID_PREFIX + key
    if len(plain) <= CLIENT_ORDER_ID_MAX and _CLIENT_ID_OK.match(plain):
        return plain
    return CLIENT_ORDER_ID_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:40]


def _require_aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True)
class OrderIntent:
    """A buy-YES order we mean to send: written to the journal before it leaves the process.

    Attributes:
        climate_date: the contract's climate date.
        station_icao: settlement station.
        contract_type: ``HIGH`` or ``LOW``.
        market_ticker: the market bought.
        bracket: its inclusive whole-°F bracket (settles the paper position).
        count: contracts wanted (whole, positive).
        limit_price: the most we pay per contract, dollars (0 < price < 1).
        created_at: aware instant the intent was formed.
        decision_id: the journal row of the decision behind it, if journaled.
    """

    climate_date: date
    station_icao: str
    contract_type: str
    market_ticker: str
    bracket: Bracket
    count: int
    limit_price: Decimal
    created_at: datetime
    decision_id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.limit_price, Decimal):
            raise TypeError("limit_price must be a Decimal (no float in money math)")
        if not Decimal(0) < self.limit_price < Decimal(1):
            raise ValueError(f"limit_price {self.limit_price} outside (0, 1)")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"count must be a positive int, got {self.count!r}")
        if not self.market_ticker:
            raise ValueError("market_ticker is required")
        _require_aware(self.created_at, "created_at")
        dedup_key(self.climate_date, self.station_icao, self.contract_type)  # validates

    @property
    def dedup_key(self) -> str:
        """The journal's UNIQUE key of this intent."""
        return dedup_key(self.climate_date, self.station_icao, self.contract_type)

    @property
    def client_order_id(self) -> str:
        """The id sent to the venue, derived from the dedup key only."""
        return client_order_id(self.dedup_key)


@dataclass(frozen=True)
class Fill:
    """One execution of (part of) an order, as the broker reports it.

    Attributes:
        fill_id: unique per execution (the venue's ``fill_id``/``trade_id``; paper: derived).
        client_order_id: the order it belongs to.
        market_ticker: the market.
        count: contracts filled (Kalshi counts are fixed-point; ours are whole).
        price: YES price per contract, dollars.
        fee: fee charged for this fill, dollars.
        filled_at: aware instant of the execution.
        is_taker: True when we took liquidity.
    """

    fill_id: str
    client_order_id: str
    market_ticker: str
    count: Decimal
    price: Decimal
    fee: Decimal
    filled_at: datetime
    is_taker: bool = True

    def __post_init__(self) -> None:
        for name in ("count", "price", "fee"):
            if not isinstance(getattr(self, name), Decimal):
                raise TypeError(f"{name} must be a Decimal (no float in money math)")
        if self.count <= 0:
            raise ValueError(f"fill count must be positive, got {self.count}")
        if not Decimal(0) < self.price < Decimal(1):
            raise ValueError(f"fill price {self.price} outside (0, 1)")
        if self.fee < 0:
            raise ValueError(f"negative fee {self.fee}")
        if not self.fill_id:
            raise ValueError("fill_id is required")
        _require_aware(self.filled_at, "filled_at")


ZERO = Decimal(0)


@dataclass(frozen=True)
class Execution:
    """What a broker did with one order.

    Attributes:
        client_order_id: the order.
        status: ``filled``, ``partial`` (rest cancelled), ``rejected`` (nothing filled) or
            ``unknown`` (the outcome could not be read: never assume a fill, never resend).
        fills: the fills, in execution order.
        reason: why, in words (shown with ``--verbose`` and journaled).
        venue_order_id: the venue's id, when it gave one.
    """

    client_order_id: str
    status: OrderStatus
    fills: tuple[Fill, ...]
    reason: str
    venue_order_id: str | None = None

    @property
    def filled_count(self) -> Decimal:
        """Contracts filled."""
        return sum((fill.count for fill in self.fills), ZERO)

    @property
    def cost(self) -> Decimal:
        """Dollars paid for the contracts, fees excluded."""
        return sum((fill.count * fill.price for fill in self.fills), ZERO)

    @property
    def fees(self) -> Decimal:
        """Fees paid, dollars: the order's fee (each fill carries its share)."""
        return sum((fill.fee for fill in self.fills), ZERO)
