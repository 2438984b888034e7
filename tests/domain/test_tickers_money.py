"""Ticker grammar and fixed-point money parsing."""

from datetime import date
from decimal import Decimal

import pytest

from domain.brackets import Bracket
from domain.money import MoneyFormatError, count_from, dollars, price_from
from domain.temperature import round_half_up, whole_f
from domain.tickers import TickerError, bracket_from_ticker, parse_ticker


def test_climate_date_comes_from_ticker() -> None:
    parsed = parse_ticker("KXHIGHCHI-26JAN23-B30.5")
    assert parsed.climate_date == date(2026, 1, 23)
    assert parsed.event_ticker == "KXHIGHCHI-26JAN23"
    assert parsed.series_ticker == "KXHIGHCHI"


@pytest.mark.parametrize(
    ("ticker", "strike_type", "expected"),
    [
        ("HIGHCHI-22DEC22-B30.5", None, Bracket(30, 31)),
        ("HIGHCHI-22DEC22-B-0.5", None, Bracket(-1, 0)),
        ("KXHIGHNY-25AUG12-T93", "greater", Bracket(94, None)),
        ("KXHIGHNY-25AUG12-T86", "less", Bracket(None, 85)),
    ],
)
def test_bracket_from_ticker(ticker: str, strike_type: str | None, expected: Bracket) -> None:
    assert bracket_from_ticker(ticker, strike_type) == expected


@pytest.mark.parametrize(
    "ticker", ["HIGHAUS--23MAY11-B88.5", "KXHIGHNY-25FOO12-B40.5", "KXHIGHNY", "KXHIGHNY-25FEB30"]
)
def test_malformed_tickers_rejected(ticker: str) -> None:
    with pytest.raises(TickerError):
        parse_ticker(ticker)


def test_t_strike_needs_direction() -> None:
    with pytest.raises(TickerError, match="strike_type"):
        bracket_from_ticker("KXHIGHNY-25AUG12-T93")


def test_prices_are_exact_decimals() -> None:
    assert dollars("0.2700") == Decimal("0.27")
    assert price_from({"yes_ask_dollars": "0.0300", "yes_ask": 99}, "yes_ask") == Decimal("0.03")
    assert price_from({"yes_ask": 27}, "yes_ask") == Decimal("0.27")
    assert count_from({"volume_fp": "10.00"}, "volume") == Decimal("10")
    assert count_from({"volume": 12}, "volume") == Decimal("12")
    with pytest.raises(MoneyFormatError):
        dollars(0.27)
    with pytest.raises(MoneyFormatError):
        dollars("1.0100")
    with pytest.raises(MoneyFormatError):
        dollars("abc")


def test_half_up_rounding_not_bankers() -> None:
    assert round_half_up(Decimal("82.5")) == 83
    assert round_half_up(Decimal("-0.5")) == -1
    # 28.3 °C -> 82.94 °F -> 83; the whole-°C body 28 would give 82.4 -> 82.
    assert whole_f(Decimal("28.3")) == 83
    assert whole_f(Decimal("28")) == 82
