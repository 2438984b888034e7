"""Order books: YES asks from the NO bids, filtered by the "no quote" rule, best first."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.kalshi.orderbook import (
    AskLevel,
    OrderBook,
    OrderBookFormatError,
    parse_orderbook_body,
)
from domain.money import MoneyFormatError

TICKER = "KXHIGHMIA-26FEB19-B80.5"


def _book(no_bids: list[list[str]], yes_bids: list[list[str]] | None = None) -> OrderBook:
    body = {"orderbook_fp": {"yes_dollars": yes_bids or [], "no_dollars": no_bids}}
    return parse_orderbook_body(TICKER, body)


def test_yes_asks_come_from_the_no_bids_best_first() -> None:
    # As the API sends them: ascending, best last.
    book = _book(
        [["0.1500", "30.00"], ["0.2200", "5.00"], ["0.2500", "12.00"]],
        yes_bids=[["0.6800", "7.00"], ["0.7100", "3.00"]],
    )
    assert book.yes_asks == (
        AskLevel(Decimal("0.7500"), Decimal("12.00")),
        AskLevel(Decimal("0.7800"), Decimal("5.00")),
        AskLevel(Decimal("0.8500"), Decimal("30.00")),
    )
    assert book.best_yes_ask == Decimal("0.7500")
    assert book.best_yes_bid == Decimal("0.7100")
    assert book.best_no_ask == Decimal("0.2900")


def test_empty_book_prices_are_not_quotes() -> None:
    # A NO bid of 0 would be a YES ask of 1.0000: the empty-book price, not a quote.
    book = _book([["0.0000", "100.00"]], yes_bids=[["0.0000", "5.00"]])
    assert book.yes_asks == () and book.best_yes_ask is None
    assert book.best_yes_bid is None and book.best_no_ask is None
    assert _book([]).best_yes_ask is None
    # a real level behind the empty-book one still counts
    behind = _book([["0.0000", "100.00"], ["0.4000", "2.00"]], yes_bids=[["1.0000", "1.00"]])
    assert behind.best_yes_ask == Decimal("0.6000") and behind.best_yes_bid is None


def test_a_level_without_visible_depth_is_no_quote() -> None:
    assert _book([["0.2500", "0.00"]]).yes_asks == ()
    assert _book([["0.2500", "0.00"]]).best_yes_ask is None
    no_size = parse_orderbook_body(TICKER, {"orderbook": {"yes": [[40, None]], "no": [[55, None]]}})
    assert no_size.best_yes_ask is None and no_size.best_yes_bid is None


def test_legacy_cent_books_and_bad_shapes() -> None:
    body = {"orderbook": {"yes": [[40, 10]], "no": [[55, 3]]}}
    assert parse_orderbook_body(TICKER, body).yes_asks == (AskLevel(Decimal("0.45"), Decimal(3)),)
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
            ask = parse_orderbook_body(row["market_ticker"], body).best_yes_ask
            assert ask is not None
            assert ask * 100 == Decimal(row["implied_yes_ask"]), row
            checked += 1
    assert checked == 2000
