"""The fake exchange's state: markets, bids-only books, IOC/FOK matching, orders, fills,
positions and settlements, with Kalshi's wire shapes (``tests.fakes.kalshi_exchange`` serves it).

Not thread-safe by itself: the HTTP layer holds one lock around every call. Matching follows
kalshi.md: books hold bids only; a YES bid at ``p`` takes the NO bids whose YES price
``1 - no_price`` is at most ``p``, best first, at the maker's price; an ask at ``p`` takes the
YES bids at or above ``p``. Taker fees are ``domain.fees.order_fee`` per order (each fill carries
the cents the order's fee grew by), makers pay nothing (``quadratic``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.fees import order_fee
from domain.money import format_count, format_dollars

ONE = Decimal(1)
ZERO = Decimal(0)
CENT = Decimal("0.01")
TIME_IN_FORCE = frozenset({"immediate_or_cancel", "fill_or_kill", "good_till_canceled"})
SELF_TRADE = frozenset({"taker_at_cross", "maker"})
BOOK_SIDES = frozenset({"bid", "ask"})
# The V2 create-order fields (kalshi.md, "Orders, late 2026").
V2_ORDER_FIELDS = frozenset(
    {
        "ticker", "client_order_id", "side", "count", "price", "time_in_force",
        "self_trade_prevention_type", "post_only", "reduce_only", "expiration_time",
        "cancel_order_on_pause", "subaccount", "order_group_id",
    }
)  # fmt: skip
_CLIENT_ID = re.compile(r"^[-\w:+=/]{1,64}$")


class OrderRefused(Exception):
    """The exchange refuses an order: the HTTP status and the ``{code, message}`` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.body = {"code": code, "message": message}


def stamp(at: datetime) -> str:
    """Kalshi's ISO-8601 UTC text (``2026-08-21T20:10:00.123456Z``)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _decimal(value: object, name: str) -> Decimal:
    if not isinstance(value, str):
        raise OrderRefused(400, "invalid_parameters", f"{name} must be a fixed-point string")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise OrderRefused(400, "invalid_parameters", f"{name} is not a number") from None


@dataclass
class Level:
    """One resting bid: YES or NO price in dollars and contracts."""

    price: Decimal
    size: Decimal


@dataclass
class Market:
    """One market and its book (bids per side, any order)."""

    ticker: str
    event_ticker: str
    series_ticker: str
    status: str = "active"
    strike_type: str | None = None
    floor_strike: float | int | None = None
    cap_strike: float | int | None = None
    result: str = ""
    close_time: datetime | None = None
    yes_bids: list[Level] = field(default_factory=list)
    no_bids: list[Level] = field(default_factory=list)

    def book_json(self) -> dict[str, Any]:
        """``GET /markets/{t}/orderbook``: ``orderbook_fp`` levels ascending (best last)."""

        def side(levels: list[Level]) -> list[list[str]]:
            ordered = sorted(levels, key=lambda level: level.price)
            return [[format_dollars(lv.price), format_count(lv.size)] for lv in ordered]

        return {
            "orderbook_fp": {"yes_dollars": side(self.yes_bids), "no_dollars": side(self.no_bids)}
        }

    def to_json(self) -> dict[str, Any]:
        """The market object of ``/markets`` and ``/events`` (dollar strings, no series)."""
        best_yes = max((lv.price for lv in self.yes_bids), default=ZERO)
        best_no = max((lv.price for lv in self.no_bids), default=ZERO)
        return {
            "ticker": self.ticker,
            "event_ticker": self.event_ticker,
            "status": self.status,
            "result": self.result,
            "strike_type": self.strike_type,
            "floor_strike": self.floor_strike,
            "cap_strike": self.cap_strike,
            "close_time": stamp(self.close_time) if self.close_time else None,
            "yes_bid_dollars": format_dollars(best_yes),
            "yes_ask_dollars": format_dollars(ONE - best_no),
            "no_bid_dollars": format_dollars(best_no),
            "no_ask_dollars": format_dollars(ONE - best_yes),
            "price_level_structure": "linear_cent",
        }


@dataclass
class Order:
    """An order as the exchange keeps it (``seq`` = reads counted when it was written)."""

    order_id: str
    client_order_id: str
    ticker: str
    book_side: str
    price: Decimal  # YES price
    initial_count: Decimal
    time_in_force: str
    created_time: datetime
    seq: int
    created_mono: float
    status: str = "resting"
    fill_count: Decimal = ZERO
    remaining_count: Decimal = ZERO
    taker_fees: Decimal = ZERO
    taker_fill_cost: Decimal = ZERO
    last_update_time: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The order object of ``GET /portfolio/orders`` (both direction-field generations)."""
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "ticker": self.ticker,
            "status": self.status,
            "side": "yes",
            "action": "buy" if self.book_side == "bid" else "sell",
            "outcome_side": "yes",
            "book_side": self.book_side,
            "type": "limit",
            "time_in_force": self.time_in_force,
            "yes_price_dollars": format_dollars(self.price),
            "no_price_dollars": format_dollars(ONE - self.price),
            "initial_count_fp": format_count(self.initial_count),
            "fill_count_fp": format_count(self.fill_count),
            "remaining_count_fp": format_count(self.remaining_count),
            "taker_fees_dollars": format_dollars(self.taker_fees),
            "maker_fees_dollars": "0.0000",
            "taker_fill_cost_dollars": format_dollars(self.taker_fill_cost),
            "maker_fill_cost_dollars": "0.0000",
            "created_time": stamp(self.created_time),
            "last_update_time": stamp(self.last_update_time or self.created_time),
        }

    def ack_json(self) -> dict[str, Any]:
        """The V2 create-order response: counts, not fills."""
        average = self.taker_fill_cost / self.fill_count if self.fill_count else None
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "fill_count": format_count(self.fill_count),
            "remaining_count": format_count(self.remaining_count),
            "average_fill_price": format_dollars(average) if average is not None else None,
            "average_fee_paid": format_dollars(self.taker_fees / self.fill_count)
            if self.fill_count
            else None,
            "ts_ms": int(self.created_time.timestamp() * 1000),
        }


@dataclass(frozen=True)
class Fill:
    """One execution of one of our orders (we are always the taker here)."""

    fill_id: str
    order_id: str
    client_order_id: str
    ticker: str
    book_side: str
    count: Decimal
    yes_price: Decimal
    fee: Decimal
    created_time: datetime
    seq: int
    created_mono: float

    @property
    def cost(self) -> Decimal:
        """Dollars paid: YES price for a bid, NO price for an ask."""
        return self.count * (self.yes_price if self.book_side == "bid" else ONE - self.yes_price)

    def to_json(self, *, with_client_id: bool = True) -> dict[str, Any]:
        """The fill object of ``GET /portfolio/fills`` (both direction-field generations);
        ``with_client_id=False`` leaves ``client_order_id`` out (fills must be matched to
        orders by ``order_id``)."""
        client_id = {"client_order_id": self.client_order_id} if with_client_id else {}
        return {
            "fill_id": self.fill_id,
            "trade_id": self.fill_id,
            "order_id": self.order_id,
            **client_id,
            "ticker": self.ticker,
            "market_ticker": self.ticker,
            "side": "yes",
            "action": "buy" if self.book_side == "bid" else "sell",
            "outcome_side": "yes",
            "book_side": self.book_side,
            "count_fp": format_count(self.count),
            "yes_price_dollars": format_dollars(self.yes_price),
            "no_price_dollars": format_dollars(ONE - self.yes_price),
            "is_taker": True,
            "fee_cost": format_dollars(self.fee),
            "created_time": stamp(self.created_time),
            "ts": int(self.created_time.timestamp()),
        }


def position_json(ticker: str, fills: Iterable[Fill], settled: bool) -> dict[str, Any]:
    """A ``market_positions`` entry from the market's fills (zero once settled)."""
    fills = list(fills)
    held = sum((f.count if f.book_side == "bid" else -f.count for f in fills), ZERO)
    cost = sum((f.cost for f in fills), ZERO)
    return {
        "ticker": ticker,
        "position_fp": format_count(ZERO if settled else held),
        "market_exposure_dollars": format_dollars(ZERO if settled else cost),
        "realized_pnl_dollars": "0.0000",
        "fees_paid_dollars": format_dollars(sum((f.fee for f in fills), ZERO)),
        "total_traded_dollars": format_dollars(sum((f.count * f.yes_price for f in fills), ZERO)),
        "resting_orders_count": 0,
    }


def settlement_json(market: Market, fills: list[Fill], at: datetime) -> dict[str, Any]:
    """The settlement of our position in ``market`` (``revenue`` in integer cents, as Kalshi;
    fees are not refunded)."""
    yes = sum((f.count for f in fills if f.book_side == "bid"), ZERO)
    no = sum((f.count for f in fills if f.book_side == "ask"), ZERO)
    won = {"yes": yes, "no": no}.get(market.result, ZERO)
    cost = sum((f.cost for f in fills), ZERO)
    # A void market refunds what was paid; otherwise each winning contract pays $1.
    revenue = cost * 100 if market.result == "void" else won * 100
    return {
        "ticker": market.ticker,
        "event_ticker": market.event_ticker,
        "market_result": market.result,
        "yes_count_fp": format_count(yes),
        "no_count_fp": format_count(no),
        "yes_total_cost_dollars": format_dollars(
            sum((f.cost for f in fills if f.book_side == "bid"), ZERO)
        ),
        "no_total_cost_dollars": format_dollars(
            sum((f.cost for f in fills if f.book_side == "ask"), ZERO)
        ),
        "revenue": int(revenue),
        "value": 100 if market.result in ("yes", "no") else 0,
        "fee_cost": format_dollars(sum((f.fee for f in fills), ZERO)),
        "settled_time": stamp(at),
    }


@dataclass(frozen=True)
class OrderTicket:
    """A create-order body, validated."""

    ticker: str
    client_order_id: str
    book_side: str
    count: Decimal
    price: Decimal
    time_in_force: str


def validate(body: object) -> OrderTicket:
    """Check a V2 create-order body the way the exchange would (strictly: a legacy field such
    as ``type``, ``action``, ``yes_price`` or ``buy_max_cost`` is refused, not ignored).

    Raises:
        OrderRefused: 400 ``invalid_parameters`` naming the first problem.
    """
    if not isinstance(body, dict):
        raise OrderRefused(400, "invalid_parameters", "body is not a JSON object")
    unknown = sorted(set(body) - V2_ORDER_FIELDS)
    if unknown:
        raise OrderRefused(400, "invalid_parameters", f"unknown fields {unknown}")
    for name in ("ticker", "client_order_id", "side", "count", "price", "time_in_force"):
        if name not in body:
            raise OrderRefused(400, "invalid_parameters", f"{name} is required")
    if body.get("self_trade_prevention_type") not in SELF_TRADE:
        raise OrderRefused(400, "invalid_parameters", "self_trade_prevention_type is required")
    cid = body["client_order_id"]
    if not isinstance(cid, str) or not _CLIENT_ID.match(cid):
        raise OrderRefused(400, "invalid_parameters", "bad client_order_id")
    if body["side"] not in BOOK_SIDES:
        raise OrderRefused(400, "invalid_parameters", "side must be bid or ask")
    if body["time_in_force"] not in TIME_IN_FORCE:
        raise OrderRefused(400, "invalid_parameters", "bad time_in_force")
    count = _decimal(body["count"], "count")
    price = _decimal(body["price"], "price")
    if count <= 0 or count != count.quantize(CENT):
        raise OrderRefused(400, "invalid_parameters", "count must be positive, 2 dp")
    if not ZERO < price < ONE or price != price.quantize(CENT):
        raise OrderRefused(400, "invalid_parameters", "price must be a whole cent in (0, 1)")
    return OrderTicket(str(body["ticker"]), cid, body["side"], count, price, body["time_in_force"])


def match(market: Market, ticket: OrderTicket) -> list[tuple[Decimal, Decimal]]:
    """Take liquidity for ``ticket`` from ``market``'s book; returns ``(count, yes_price)`` fills.

    IOC takes what is there; FOK takes all or nothing; GTC takes what is there (the rest rests
    as an order, outside the book: nobody trades against us in this fake).
    """
    if ticket.book_side == "bid":  # buy YES: hit NO bids, YES price 1 - no price
        levels = [lv for lv in market.no_bids if ONE - lv.price <= ticket.price]
        levels.sort(key=lambda lv: lv.price, reverse=True)
    else:  # sell YES / buy NO: hit YES bids at or above the price
        levels = [lv for lv in market.yes_bids if lv.price >= ticket.price]
        levels.sort(key=lambda lv: lv.price, reverse=True)
    available = sum((lv.size for lv in levels), ZERO)
    if ticket.time_in_force == "fill_or_kill" and available < ticket.count:
        return []
    remaining = ticket.count
    taken: list[tuple[Decimal, Decimal]] = []
    for level in levels:
        if remaining <= 0:
            break
        take = min(level.size, remaining)
        level.size -= take
        remaining -= take
        yes_price = ONE - level.price if ticket.book_side == "bid" else level.price
        taken.append((take, yes_price))
    market.no_bids = [lv for lv in market.no_bids if lv.size > 0]
    market.yes_bids = [lv for lv in market.yes_bids if lv.size > 0]
    return taken


def fill_fees(
    taken: list[tuple[Decimal, Decimal]], fee_type: str, fee_multiplier: Decimal
) -> list[Decimal]:
    """Each fill's share of the order's taker fee (the order's fee so far minus before it)."""
    fees: list[Decimal] = []
    before = ZERO
    for index in range(len(taken)):
        total = order_fee(
            taken[: index + 1], role="taker", fee_type=fee_type, fee_multiplier=fee_multiplier
        )
        fees.append(total - before)
        before = total
    return fees


def worst_cost(ticket: OrderTicket, fee_type: str, fee_multiplier: Decimal) -> Decimal:
    """Dollars the order may cost at its limit, taker fee included (the balance must cover it)."""
    unit = ticket.price if ticket.book_side == "bid" else ONE - ticket.price
    fee = order_fee([(ticket.count, unit)], fee_type=fee_type, fee_multiplier=fee_multiplier)
    return ticket.count * unit + fee
