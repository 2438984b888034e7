"""The paper broker's level-by-level fills and the order's fee over all of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.kalshi.orderbook import OrderBook, parse_orderbook_body
from domain.brackets import Bracket
from domain.fees import order_fee, trade_fee
from domain.orders import OrderIntent, OrderStatus
from trader.brokers import Broker, PaperBroker
from trader.journal import Journal, OrderRecord

NOW = datetime(2026, 2, 19, 19, 5, tzinfo=UTC)
TICKER = "KXHIGHMIA-26FEB19-B80.5"


def _book(no_bids: list[list[str]], yes_bids: list[list[str]] | None = None) -> OrderBook:
    body = {"orderbook_fp": {"yes_dollars": yes_bids or [], "no_dollars": no_bids}}
    return parse_orderbook_body(TICKER, body)


def _order(journal: Journal, count: int = 10, limit: str = "0.80") -> OrderRecord:
    intent = OrderIntent(
        date(2026, 2, 19), "KMIA", "HIGH", TICKER, Bracket(80, 81), count, Decimal(limit), NOW
    )
    return journal.record_intent(intent)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite")


def _broker(book: OrderBook) -> PaperBroker:
    return PaperBroker(lambda ticker: book, lambda: NOW)


def test_fills_one_level_with_the_taker_fee(journal: Journal) -> None:
    broker: Broker = _broker(_book([["0.3000", "50.00"]]))
    execution = broker.submit(_order(journal, count=10, limit="0.75"))
    assert execution.status is OrderStatus.FILLED
    (fill,) = execution.fills
    assert (fill.count, fill.price) == (Decimal(10), Decimal("0.7000"))
    assert fill.fee == trade_fee(10, Decimal("0.70")) == Decimal("0.15")
    assert fill.fill_id == "kw-2026-02-19_KMIA_HIGH-0"
    assert execution.cost == Decimal("7.0000") and execution.fees == Decimal("0.15")


def test_walks_levels_up_to_the_limit_and_fills_partially(journal: Journal) -> None:
    # asks 0.70 x 4, 0.75 x 3, 0.81 x 100: limit 0.80 stops before the third level
    book = _book([["0.1900", "100.00"], ["0.2500", "3.00"], ["0.3000", "4.00"]])
    execution = _broker(book).submit(_order(journal, count=10, limit="0.80"))
    assert execution.status is OrderStatus.PARTIAL
    assert [(f.count, f.price) for f in execution.fills] == [
        (Decimal(4), Decimal("0.7000")),
        (Decimal(3), Decimal("0.7500")),
    ]
    # The order's fee over both levels: 0.07 x (4 x .7 x .3 + 3 x .75 x .25) = 0.098175 -> 0.10;
    # a rounded fee per level would be 0.06 + 0.04 = 0.10 here too, but not in the next test.
    fees = [f.fee for f in execution.fills]
    assert fees == [trade_fee(4, Decimal("0.70")), Decimal("0.10") - trade_fee(4, Decimal("0.70"))]
    assert (
        execution.fees == order_fee([(4, Decimal("0.70")), (3, Decimal("0.75"))]) == Decimal("0.10")
    )
    assert execution.filled_count == Decimal(7)
    assert "7 of 10" in execution.reason


def test_fee_is_rounded_per_order_not_per_level(journal: Journal) -> None:
    # asks 0.70, 0.71, 0.72 x 1 each. Per fill to $0.0001: 0.0147 + 0.0145 + 0.0142 = 0.0434,
    # so the order pays 0.05; a fee rounded to the cent per level would be 0.02 x 3 = 0.06.
    book = _book([["0.2800", "1.00"], ["0.2900", "1.00"], ["0.3000", "1.00"]])
    execution = _broker(book).submit(_order(journal, count=3, limit="0.72"))
    assert execution.status is OrderStatus.FILLED
    assert execution.fees == Decimal("0.05") < sum(trade_fee(1, f.price) for f in execution.fills)
    # each fill carries what the order's fee grew by: 0.02, then 0.0292 -> 0.03, then 0.05
    assert [f.fee for f in execution.fills] == [Decimal("0.02"), Decimal("0.01"), Decimal("0.02")]
    assert [journal.record_fill(f, NOW) for f in execution.fills] == [True] * 3
    stored = journal.fills(execution.client_order_id)
    assert sum(f.fee for f in stored) == Decimal("0.05")


def test_stops_when_the_count_is_reached(journal: Journal) -> None:
    book = _book([["0.2500", "3.00"], ["0.3000", "4.00"]])
    execution = _broker(book).submit(_order(journal, count=6, limit="0.80"))
    assert execution.status is OrderStatus.FILLED
    assert [f.count for f in execution.fills] == [Decimal(4), Decimal(2)]


def test_no_fill_when_the_book_moved_away(journal: Journal) -> None:
    execution = _broker(_book([["0.1500", "50.00"]])).submit(_order(journal, limit="0.80"))
    assert execution.status is OrderStatus.REJECTED and execution.fills == ()
    assert "moved away" in execution.reason and "0.8500" in execution.reason


def test_no_fill_on_an_empty_book_or_fractional_dust(journal: Journal, tmp_path: Path) -> None:
    assert _broker(_book([])).submit(_order(journal)).status is OrderStatus.REJECTED
    with Journal(tmp_path / "other.sqlite") as other:
        dust = _broker(_book([["0.3000", "0.50"]])).submit(_order(other))
    assert dust.status is OrderStatus.REJECTED and "whole contract" in dust.reason


def test_refuses_orders_that_are_not_fresh_intents(journal: Journal) -> None:
    order = _order(journal)
    sent = journal.set_status(order.client_order_id, OrderStatus.SENT, NOW)
    with pytest.raises(ValueError, match="not an intent"):
        _broker(_book([["0.3000", "5.00"]])).submit(sent)
    other = OrderBook("OTHER", (), ())
    with pytest.raises(ValueError, match="book of OTHER"):
        _broker(other).submit(order)


def test_a_replayed_execution_journals_each_fill_once(journal: Journal) -> None:
    book = _book([["0.2500", "3.00"], ["0.3000", "4.00"]])
    order = _order(journal, count=10)
    first = _broker(book).submit(order)
    again = _broker(book).submit(order)  # e.g. re-run after a crash before the fills landed
    assert first == again
    assert [journal.record_fill(f, NOW) for f in first.fills] == [True, True]
    assert [journal.record_fill(f, NOW) for f in again.fills] == [False, False]
    stored = journal.order_by_key(order.dedup_key)
    assert stored is not None and stored.status is OrderStatus.PARTIAL
    assert sum(f.count for f in journal.fills(order.client_order_id)) == Decimal(7)
