"""Our orders on Kalshi's wire: the one module that knows the order endpoint and the shapes of
orders, fills, positions and settlements (an endpoint change is one edit here).

The request is the V2 ``POST /portfolio/events/orders`` (kalshi.md, "Orders, late 2026"): side
``bid``/``ask`` of the YES book (buy YES = ``bid``), counts and prices as fixed-point strings,
``time_in_force`` and ``self_trade_prevention_type`` required. Its response carries counts, not
fills: fills are read back. The parsers accept both generations of direction fields (the
deprecated ``side``/``action`` and the new ``outcome_side``/``book_side``), ``_fp``/``_dollars``
strings and the legacy integer fields, and raise :class:`OrderFormatError` on anything
malformed, never ``KeyError`` or ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from adapters.kalshi.fields import (
    OrderFormatError,
    checked,
    count_of,
    dollar_amount,
    dollar_text,
    instant,
    json_object,
    require,
    text,
)
from domain.money import amount, format_count, format_dollars, price_from
from domain.orders import Fill

__all__ = [
    "ORDERS_PATH",
    "OrderAck",
    "OrderFormatError",
    "TimeInForce",
    "VenueFill",
    "VenueOrder",
    "VenuePosition",
    "VenueSettlement",
    "create_order_request",
    "fill_of",
    "parse_fill",
    "parse_order",
    "parse_order_ack",
    "parse_position",
    "parse_settlement",
]

ORDERS_PATH = "/portfolio/events/orders"
SELF_TRADE_PREVENTION = "taker_at_cross"
ORDER_STATUSES = frozenset({"resting", "canceled", "executed"})
_ONE = Decimal(1)
_PRICE_TICK = Decimal("0.01")


class TimeInForce(StrEnum):
    """How long an order may wait for a counterparty: ours never rest."""

    IMMEDIATE_OR_CANCEL = "immediate_or_cancel"
    FILL_OR_KILL = "fill_or_kill"


def create_order_request(
    *,
    ticker: str,
    client_order_id: str,
    count: int,
    price: Decimal,
    time_in_force: TimeInForce,
) -> tuple[str, dict[str, Any]]:
    """The path and JSON body of a limit buy of YES.

    Args:
        ticker: the market.
        client_order_id: our idempotency key (the journal's, deterministic).
        count: whole contracts, positive.
        price: the limit, dollars, a whole cent in (0, 1).
        time_in_force: immediate-or-cancel or fill-or-kill.

    Returns:
        ``(path, body)`` for ``KalshiClient.post``.

    Raises:
        OrderFormatError: a count, price or id the exchange would refuse.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise OrderFormatError(f"count must be a positive int, got {count!r}")
    if not isinstance(price, Decimal) or not Decimal(0) < price < _ONE:
        raise OrderFormatError(f"price must be a Decimal in (0, 1), got {price!r}")
    if price != price.quantize(_PRICE_TICK):
        raise OrderFormatError(f"price {price} is not a whole cent")
    if not ticker or not client_order_id:
        raise OrderFormatError("ticker and client_order_id are required")
    body = {
        "ticker": ticker,
        "client_order_id": client_order_id,
        "side": "bid",  # buy YES = bid on the YES book
        "count": format_count(Decimal(count)),
        "price": format_dollars(price),
        "time_in_force": TimeInForce(time_in_force).value,
        "self_trade_prevention_type": SELF_TRADE_PREVENTION,
    }
    return ORDERS_PATH, body


# --------------------------------------------------------------------------------------------
# Direction
# --------------------------------------------------------------------------------------------


def _direction(obj: Mapping[str, Any], kind: str) -> tuple[str | None, str | None]:
    """``(outcome_side, book_side)`` from the new fields, else from the legacy side/action."""
    outcome = text(obj, kind, "outcome_side", required=False)
    book = text(obj, kind, "book_side", required=False)
    side = text(obj, kind, "side", required=False)
    action = text(obj, kind, "action", required=False)
    if outcome is None and side in ("yes", "no"):
        outcome = side
    if book is None and side in ("yes", "no") and action in ("buy", "sell"):
        # Buying YES or selling NO bids on the YES book; the other two ask.
        book = "bid" if (side == "yes") == (action == "buy") else "ask"
    if book is None and side in ("bid", "ask"):  # a V2 request echoed back
        book = side
    if outcome not in (None, "yes", "no") or book not in (None, "bid", "ask"):
        raise OrderFormatError(f"{kind}: unknown direction {outcome!r}/{book!r}")
    return outcome, book


# --------------------------------------------------------------------------------------------
# Objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderAck:
    """The create-order response: counts only (fills must be read back)."""

    order_id: str
    client_order_id: str | None
    fill_count: Decimal
    remaining_count: Decimal


def parse_order_ack(body: object) -> OrderAck:
    """Parse the V2 response (or a legacy ``{order: {...}}``).

    Raises:
        OrderFormatError: no order id, or unreadable counts.
    """
    obj = json_object(body, "order ack")
    if isinstance(obj.get("order"), Mapping):
        obj = obj["order"]
    kind = "order ack"
    order_id = text(obj, kind, "order_id")
    return OrderAck(
        order_id=str(order_id),
        client_order_id=text(obj, kind, "client_order_id", required=False),
        fill_count=require(count_of(obj, kind, "fill_count"), kind, "fill_count"),
        remaining_count=count_of(obj, kind, "remaining_count") or Decimal(0),
    )


@dataclass(frozen=True)
class VenueOrder:
    """An order as the exchange reports it (``GET /portfolio/orders``).

    Attributes:
        status: ``resting``, ``canceled`` or ``executed``.
        count: contracts ordered (``initial_count``; else fill + remaining).
        price: the YES limit price, dollars (None when absent).
        taker_fees: fees charged for taking, dollars.
        outcome_side / book_side: the direction (new fields, or derived from the legacy ones).
    """

    order_id: str
    client_order_id: str | None
    ticker: str
    status: str
    count: Decimal
    fill_count: Decimal
    remaining_count: Decimal
    price: Decimal | None
    created_time: datetime | None
    last_update_time: datetime | None
    taker_fees: Decimal
    outcome_side: str | None = None
    book_side: str | None = None


def parse_order(obj: object) -> VenueOrder:
    """Parse one order object.

    Raises:
        OrderFormatError: a missing id, ticker or status, or an unreadable field.
    """
    kind = "order"
    order = json_object(obj, kind)
    status = text(order, kind, "status")
    if status not in ORDER_STATUSES:
        raise OrderFormatError(f"order: unknown status {status!r}")
    fill = count_of(order, kind, "fill_count") or Decimal(0)
    remaining = count_of(order, kind, "remaining_count") or Decimal(0)
    yes_price = checked(kind, lambda: price_from(order, "yes_price"))
    if yes_price is None:
        no_price = checked(kind, lambda: price_from(order, "no_price"))
        yes_price = None if no_price is None else _ONE - no_price
    outcome, book = _direction(order, kind)
    return VenueOrder(
        order_id=str(text(order, kind, "order_id")),
        client_order_id=text(order, kind, "client_order_id", required=False),
        ticker=str(text(order, kind, "ticker", "market_ticker")),
        status=str(status),
        count=count_of(order, kind, "initial_count", "count") or fill + remaining,
        fill_count=fill,
        remaining_count=remaining,
        price=yes_price,
        created_time=instant(order, kind, "created_time"),
        last_update_time=instant(order, kind, "last_update_time"),
        taker_fees=dollar_amount(order, kind, "taker_fees") or Decimal(0),
        outcome_side=outcome,
        book_side=book,
    )


@dataclass(frozen=True)
class VenueFill:
    """One execution (``GET /portfolio/fills``).

    Attributes:
        fill_id: the ``trade_id`` (= ``fill_id``), unique per execution.
        outcome_side: ``yes`` or ``no``; book_side: ``bid``/``ask`` of the YES book, if known.
        yes_price: the YES price of the execution, dollars.
        fee: ``fee_cost``, dollars.
    """

    fill_id: str
    order_id: str
    client_order_id: str | None
    ticker: str
    outcome_side: str
    book_side: str | None
    count: Decimal
    yes_price: Decimal
    fee: Decimal
    is_taker: bool
    created_time: datetime


def parse_fill(obj: object) -> VenueFill:
    """Parse one fill object.

    Raises:
        OrderFormatError: missing ids, direction, count, price or time, or unreadable fields.
    """
    kind = "fill"
    fill = json_object(obj, kind)
    outcome, book = _direction(fill, kind)
    yes_price = checked(kind, lambda: price_from(fill, "yes_price"))
    if yes_price is None:
        no_price = checked(kind, lambda: price_from(fill, "no_price"))
        yes_price = None if no_price is None else _ONE - no_price
    is_taker = fill.get("is_taker")
    if not isinstance(is_taker, bool):
        raise OrderFormatError("fill: is_taker is not a boolean")
    return VenueFill(
        fill_id=str(text(fill, kind, "trade_id", "fill_id")),
        order_id=str(text(fill, kind, "order_id")),
        client_order_id=text(fill, kind, "client_order_id", required=False),
        ticker=str(text(fill, kind, "ticker", "market_ticker")),
        outcome_side=require(outcome, kind, "outcome_side"),
        book_side=book,
        count=require(count_of(fill, kind, "count"), kind, "count"),
        yes_price=require(yes_price, kind, "yes_price"),
        fee=dollar_text(fill, kind, "fee_cost_dollars", "fee_cost") or Decimal(0),
        is_taker=is_taker,
        created_time=require(instant(fill, kind, "created_time", "ts"), kind, "created_time"),
    )


@dataclass(frozen=True)
class VenuePosition:
    """A market position (``GET /portfolio/positions`` ``market_positions``): +YES / −NO."""

    ticker: str
    position: Decimal
    market_exposure: Decimal
    realized_pnl: Decimal
    fees_paid: Decimal


def parse_position(obj: object) -> VenuePosition:
    """Parse one market position.

    Raises:
        OrderFormatError: no ticker or position, or unreadable fields.
    """
    kind = "position"
    position = json_object(obj, kind)
    # A NO position is negative: count_from's non-negative rule does not apply here.
    held = position.get("position_fp", position.get("position"))
    return VenuePosition(
        ticker=str(text(position, kind, "ticker", "market_ticker")),
        position=require(checked(kind, lambda: amount(held, "position_fp")), kind, "position"),
        market_exposure=dollar_amount(position, kind, "market_exposure") or Decimal(0),
        realized_pnl=dollar_amount(position, kind, "realized_pnl") or Decimal(0),
        fees_paid=dollar_amount(position, kind, "fees_paid") or Decimal(0),
    )


@dataclass(frozen=True)
class VenueSettlement:
    """A settlement of one of our positions (``GET /portfolio/settlements``).

    Attributes:
        revenue: dollars paid out (Kalshi sends integer CENTS in ``revenue``).
        fee_cost: fees of the position, dollars (a dollar string, like the fills').
    """

    ticker: str
    market_result: str
    yes_count: Decimal
    no_count: Decimal
    revenue: Decimal
    fee_cost: Decimal
    settled_time: datetime


def parse_settlement(obj: object) -> VenueSettlement:
    """Parse one settlement.

    Raises:
        OrderFormatError: no ticker, result, revenue or time, or unreadable fields.
    """
    kind = "settlement"
    settlement = json_object(obj, kind)
    return VenueSettlement(
        ticker=str(text(settlement, kind, "ticker", "market_ticker")),
        market_result=str(text(settlement, kind, "market_result")),
        yes_count=count_of(settlement, kind, "yes_count") or Decimal(0),
        no_count=count_of(settlement, kind, "no_count") or Decimal(0),
        revenue=require(dollar_amount(settlement, kind, "revenue"), kind, "revenue"),
        fee_cost=dollar_text(settlement, kind, "fee_cost_dollars", "fee_cost") or Decimal(0),
        settled_time=require(instant(settlement, kind, "settled_time"), kind, "settled_time"),
    )


def fill_of(fill: VenueFill, client_order_id: str) -> Fill:
    """A buy-YES exchange fill as ``domain.orders.Fill`` (price = the YES price).

    The broker and the reconciliation both journal fills through this one conversion, so a fill
    read twice (after a restart) is recognised as the same fill.
    """
    return Fill(
        fill_id=fill.fill_id,
        client_order_id=client_order_id,
        market_ticker=fill.ticker,
        count=fill.count,
        price=fill.yes_price,
        fee=fill.fee,
        filled_at=fill.created_time,
        is_taker=fill.is_taker,
    )
