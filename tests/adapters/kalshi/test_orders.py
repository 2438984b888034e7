"""The order wire mapping: the V2 request, and orders/fills/positions/settlements of both
direction-field generations; malformed objects raise OrderFormatError, never KeyError."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.kalshi.orders import (
    OrderFormatError,
    TimeInForce,
    create_order_request,
    parse_fill,
    parse_order,
    parse_order_ack,
    parse_position,
    parse_settlement,
)

TICKER = "KXHIGHNY-26AUG21-B77.5"

NEW_FILL: dict[str, Any] = {
    "trade_id": "t-1",
    "fill_id": "t-1",
    "order_id": "o-1",
    "client_order_id": "kw-2026-08-21_KNYC_HIGH",
    "ticker": TICKER,
    "outcome_side": "yes",
    "book_side": "bid",
    "count_fp": "5.00",
    "yes_price_dollars": "0.6200",
    "is_taker": True,
    "fee_cost": "0.0800",
    "created_time": "2026-08-21T20:10:00.123456789Z",
}
SETTLEMENT: dict[str, Any] = {
    "ticker": TICKER,
    "market_result": "yes",
    "yes_count_fp": "10.00",
    "no_count_fp": "0.00",
    "revenue": 1000,  # integer cents
    "fee_cost": "0.1700",
    "settled_time": "2026-08-22T12:00:00Z",
}
LEGACY_FILL: dict[str, Any] = {
    "fill_id": "t-2",
    "order_id": "o-1",
    "ticker": TICKER,
    "side": "yes",
    "action": "buy",
    "count": 3,
    "yes_price": 61,
    "is_taker": False,
    "fee_cost": "0.0000",
    "ts": 1787342400,
}


def test_request_is_a_v2_bid_with_fixed_point_strings() -> None:
    path, body = create_order_request(
        ticker=TICKER,
        client_order_id="kw-2026-08-21_KNYC_HIGH",
        count=10,
        price=Decimal("0.56"),
        time_in_force=TimeInForce.FILL_OR_KILL,
    )
    assert path == "/portfolio/events/orders"
    assert body == {
        "ticker": TICKER,
        "client_order_id": "kw-2026-08-21_KNYC_HIGH",
        "side": "bid",
        "count": "10.00",
        "price": "0.5600",
        "time_in_force": "fill_or_kill",
        "self_trade_prevention_type": "taker_at_cross",
    }


@pytest.mark.parametrize(
    ("count", "price"),
    [(0, Decimal("0.5")), (True, Decimal("0.5")), (2, Decimal("1")), (2, Decimal("0.555"))],
)
def test_request_refuses_what_the_exchange_would(count: Any, price: Decimal) -> None:
    with pytest.raises(OrderFormatError):
        create_order_request(
            ticker=TICKER,
            client_order_id="kw-x",
            count=count,
            price=price,
            time_in_force=TimeInForce.IMMEDIATE_OR_CANCEL,
        )


def test_ack_counts_and_legacy_wrapper() -> None:
    ack = parse_order_ack(
        {
            "order_id": "o-1",
            "client_order_id": "kw-x",
            "fill_count": "4.00",
            "remaining_count": "0.00",
        }
    )
    assert (ack.order_id, ack.fill_count, ack.remaining_count) == ("o-1", Decimal(4), Decimal(0))
    legacy = parse_order_ack({"order": {"order_id": "o-2", "fill_count_fp": "1.00"}})
    assert (legacy.order_id, legacy.fill_count, legacy.client_order_id) == ("o-2", 1, None)


def test_new_fill_fields() -> None:
    fill = parse_fill(NEW_FILL)
    assert (fill.fill_id, fill.outcome_side, fill.book_side) == ("t-1", "yes", "bid")
    assert (fill.count, fill.yes_price, fill.fee) == (Decimal(5), Decimal("0.62"), Decimal("0.08"))
    # nanoseconds cut to microseconds, aware UTC
    assert fill.created_time == datetime(2026, 8, 21, 20, 10, 0, 123456, tzinfo=UTC)


def test_legacy_fill_fields() -> None:
    fill = parse_fill(LEGACY_FILL)
    assert (fill.outcome_side, fill.book_side, fill.is_taker) == ("yes", "bid", False)
    assert (fill.count, fill.yes_price) == (Decimal(3), Decimal("0.61"))
    assert fill.created_time == datetime.fromtimestamp(1787342400, UTC)
    bought_no = parse_fill({**LEGACY_FILL, "side": "no", "action": "buy", "no_price": 39})
    assert (bought_no.outcome_side, bought_no.book_side) == ("no", "ask")


def test_order_both_generations() -> None:
    new = parse_order(
        {
            "order_id": "o-1",
            "client_order_id": "kw-x",
            "ticker": TICKER,
            "status": "canceled",
            "outcome_side": "yes",
            "book_side": "bid",
            "initial_count_fp": "10.00",
            "fill_count_fp": "4.00",
            "remaining_count_fp": "0.00",
            "yes_price_dollars": "0.6200",
            "taker_fees_dollars": "0.0700",
            "created_time": "2026-08-21T20:10:00Z",
            "last_update_time": "2026-08-21T20:10:01+00:00",
        }
    )
    assert (new.status, new.count, new.fill_count, new.price) == (
        "canceled",
        Decimal(10),
        Decimal(4),
        Decimal("0.62"),
    )
    assert new.taker_fees == Decimal("0.07") and new.book_side == "bid"
    legacy = parse_order(
        {
            "order_id": "o-2",
            "ticker": TICKER,
            "status": "executed",
            "side": "yes",
            "action": "buy",
            "fill_count": 2,
            "remaining_count": 0,
            "no_price": 40,
            "taker_fees": 3,
        }
    )
    assert (legacy.count, legacy.price, legacy.taker_fees) == (
        Decimal(2),
        Decimal("0.60"),
        Decimal("0.03"),
    )
    assert (legacy.outcome_side, legacy.book_side, legacy.created_time) == ("yes", "bid", None)


def test_position_and_settlement() -> None:
    position = parse_position(
        {
            "ticker": TICKER,
            "position_fp": "-3.00",
            "market_exposure_dollars": "1.2000",
            "realized_pnl": 150,
            "fees_paid_dollars": "0.0400",
        }
    )
    assert (position.position, position.market_exposure, position.realized_pnl) == (
        Decimal(-3),
        Decimal("1.2"),
        Decimal("1.5"),
    )
    settlement = parse_settlement(SETTLEMENT)
    assert (settlement.revenue, settlement.fee_cost, settlement.yes_count) == (
        Decimal(10),
        Decimal("0.17"),
        Decimal(10),
    )


@pytest.mark.parametrize(
    ("parse", "obj"),
    [
        (parse_fill, ["not", "an", "object"]),
        (parse_fill, {**NEW_FILL, "trade_id": None, "fill_id": None}),
        (parse_fill, {**NEW_FILL, "count_fp": "lots"}),
        (parse_fill, {**NEW_FILL, "yes_price_dollars": 0.62}),  # a float
        (parse_fill, {**NEW_FILL, "outcome_side": "maybe"}),
        (parse_fill, {**NEW_FILL, "created_time": "2026-08-21T20:10:00"}),  # naive
        (parse_fill, {**NEW_FILL, "is_taker": "yes"}),
        (parse_fill, {k: v for k, v in NEW_FILL.items() if k != "order_id"}),
        (parse_order, {"order_id": "o", "ticker": TICKER, "status": "pending"}),
        (parse_order, {"order_id": 7, "ticker": TICKER, "status": "executed"}),
        (parse_order_ack, {"order_id": "o-1"}),
        (parse_order_ack, None),
        (parse_position, {"ticker": TICKER}),
        (parse_settlement, {"ticker": TICKER, "market_result": "yes", "settled_time": "x"}),
        # Ambiguous units: a number fee (cents? dollars?), string "cents" that read as dollars.
        (parse_fill, {**NEW_FILL, "fee_cost": 8}),
        (parse_settlement, {**SETTLEMENT, "fee_cost": 17}),
        (parse_settlement, {**SETTLEMENT, "revenue": "10.0000"}),
        (parse_position, {"ticker": TICKER, "position_fp": "1.00", "market_exposure": "0.62"}),
    ],
)
def test_malformed_objects_raise_the_declared_error(parse: Any, obj: Any) -> None:
    with pytest.raises(OrderFormatError):
        parse(obj)
