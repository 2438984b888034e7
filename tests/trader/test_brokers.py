"""Order books (asks from the NO bids) and the paper broker's level-by-level fills."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.kalshi.orderbook import OrderBook, OrderBookFormatError, parse_orderbook_body
from domain.brackets import Bracket
from domain.fees import trade_fee
from domain.money import MoneyFormatError
from trader.books import AskLevel, best_yes_ask, best_yes_bid, yes_asks
from trader.brokers import Broker, PaperBroker
from trader.journal import Journal, OrderRecord
from trader.orders import OrderIntent, OrderStatus

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


def test_yes_asks_come_from_the_no_bids_best_first() -> None:
    # As the API sends them: ascending, best last.
    book = _book(
        [["0.1500", "30.00"], ["0.2200", "5.00"], ["0.2500", "12.00"]],
        yes_bids=[["0.6800", "7.00"], ["0.7100", "3.00"]],
    )
    assert yes_asks(book) == (
        AskLevel(Decimal("0.7500"), Decimal("12.00")),
        AskLevel(Decimal("0.7800"), Decimal("5.00")),
        AskLevel(Decimal("0.8500"), Decimal("30.00")),
    )
    assert best_yes_ask(book) == AskLevel(Decimal("0.7500"), Decimal("12.00"))
    assert best_yes_bid(book) == Decimal("0.7100")


def test_empty_book_prices_are_not_quotes() -> None:
    book = _book([["0.0000", "100.00"]], yes_bids=[["0.0000", "5.00"]])
    assert yes_asks(book) == () and best_yes_ask(book) is None and best_yes_bid(book) is None
    assert best_yes_ask(_book([])) is None
    # a level with no visible size, or size 0, is no depth
    assert yes_asks(_book([["0.2500", "0.00"]])) == ()


def test_legacy_cent_books_and_bad_shapes() -> None:
    body = {"orderbook": {"yes": [[40, 10]], "no": [[55, 3]]}}
    assert best_yes_ask(parse_orderbook_body(TICKER, body)) == AskLevel(Decimal("0.45"), Decimal(3))
    with pytest.raises(OrderBookFormatError):
        _book([["0.25"]])
    with pytest.raises(MoneyFormatError):
        _book([[0.25, "3.00"]])  # type: ignore[list-item]


@pytest.mark.realdata
def test_yes_ask_is_one_minus_the_best_no_bid_on_recorded_books(realdata: Path) -> None:
    """The recorder's implied YES ask (100 - best NO bid, in cents) is our best YES ask."""
    path = realdata / "kalshi" / "kxhighny_top_of_book" / "KXHIGHNY-25DEC05.csv"
    checked = 0
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if checked >= 2000 or row["best_no_bid"] in ("", "0"):
                continue
            body = {"orderbook": {"yes": [], "no": [[int(row["best_no_bid"]), 1]]}}
            ask = best_yes_ask(parse_orderbook_body(row["market_ticker"], body))
            assert ask is not None
            assert ask.price * 100 == Decimal(row["implied_yes_ask"]), row
            checked += 1
    assert checked == 2000


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
    assert [f.fee for f in execution.fills] == [
        trade_fee(4, Decimal("0.70")),
        trade_fee(3, Decimal("0.75")),
    ]
    assert execution.filled_count == Decimal(7)
    assert "7 of 10" in execution.reason


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
