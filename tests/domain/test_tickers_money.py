"""Ticker grammar and fixed-point money parsing."""

from datetime import date
from decimal import Decimal

import pytest

from domain.brackets import Bracket
from domain.money import (
    MoneyFormatError,
    amount,
    amount_cents_text,
    amount_from_cents,
    amount_text,
    cents_text,
    cents_to_dollars,
    count,
    count_from,
    count_text,
    dollars,
    dollars_text,
    format_count,
    format_dollars,
    is_absent,
    number_text,
    parse_decimal,
    price_from,
)
from domain.stations import load_stations
from domain.temperature import round_half_up, whole_f
from domain.tickers import TickerError, bracket_from_ticker, event_ticker, parse_ticker


def test_climate_date_comes_from_ticker() -> None:
    parsed = parse_ticker("KXHIGHCHI-26JAN23-B30.5")
    assert parsed.climate_date == date(2026, 1, 23)
    assert parsed.event_ticker == "KXHIGHCHI-26JAN23"
    assert parsed.series_ticker == "KXHIGHCHI"


def test_event_ticker_is_the_climate_date() -> None:
    assert event_ticker("kxhighny", date(2026, 2, 9)) == "KXHIGHNY-26FEB09"
    assert event_ticker("KXLOWTCHI", date(2025, 12, 31)) == "KXLOWTCHI-25DEC31"


ROUND_TRIP_DATES = [
    date(2000, 1, 1),
    date(2021, 8, 1),
    date(2024, 2, 29),
    date(2025, 3, 9),
    date(2025, 11, 2),
    date(2026, 5, 17),
    date(2026, 12, 31),
    date(2068, 6, 30),
] + [date(2026, month, 1) for month in range(1, 13)]


@pytest.mark.parametrize("series", sorted({s for st in load_stations() for s in st.series_tickers}))
def test_event_ticker_round_trips_through_parse_ticker(series: str) -> None:
    for day in ROUND_TRIP_DATES:
        parsed = parse_ticker(event_ticker(series, day))
        assert (parsed.series_ticker, parsed.climate_date) == (series, day)
        assert parsed.event_ticker == event_ticker(series, day) and parsed.kind is None


@pytest.mark.parametrize(
    ("series", "day"),
    [
        ("KXHIGHNY", date(1999, 12, 31)),
        ("KXHIGHNY", date(2069, 1, 1)),
        ("KX-HIGH", date(2026, 1, 1)),
    ],
)
def test_event_ticker_refuses_what_parse_ticker_could_not_read_back(series: str, day: date) -> None:
    with pytest.raises(TickerError):
        event_ticker(series, day)


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
    assert dollars(" 0.27 ") == Decimal("0.27")
    assert dollars(Decimal("1")) == Decimal(1) and dollars("0") == Decimal(0)
    assert dollars(None) is None and dollars("") is None
    assert price_from({"yes_ask_dollars": "0.0300", "yes_ask": 99}, "yes_ask") == Decimal("0.03")
    assert price_from({"yes_ask_dollars": "", "yes_ask": 27}, "yes_ask") == Decimal("0.27")
    assert price_from({"yes_ask": 27}, "yes_ask") == Decimal("0.27")
    assert price_from({}, "yes_ask") is None
    assert count_from({"volume_fp": "10.00"}, "volume") == Decimal("10")
    assert count_from({"volume": 12}, "volume") == Decimal("12")
    assert count_from({}, "volume") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0.27, "float 0.27 refused"),
        (True, "boolean True is not a number"),
        ("1.0100", "outside"),
        ("-0.01", "outside"),
        ("abc", "not a number: 'abc'"),
        ("NaN", "not finite"),
        ("Infinity", "not finite"),
    ],
)
def test_bad_prices_are_refused_with_the_field_named(value: object, reason: str) -> None:
    with pytest.raises(MoneyFormatError, match=reason) as info:
        dollars(value, "yes_bid_dollars")
    assert str(info.value).startswith("yes_bid_dollars: ")


def test_legacy_cents_and_amounts() -> None:
    assert cents_to_dollars(27) == Decimal("0.27")
    assert cents_to_dollars("100") == Decimal(1)
    assert cents_to_dollars(None) is None
    with pytest.raises(MoneyFormatError, match=r"^yes_bid: 150 cents outside 0\.\.100$"):
        cents_to_dollars(150, "yes_bid")
    # amounts are dollars too, but not bounded to [0, 1]
    assert amount("12717.00", "liquidity_dollars") == Decimal("12717")
    assert amount_from_cents(1271700, "liquidity") == Decimal("12717")
    assert amount_from_cents("", "liquidity") is None
    assert count("10.00") == Decimal(10) and count(None) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1e999999999", "magnitude"),
        ("1e-31", "magnitude"),
        ("0E-50", "magnitude"),
        ("1" * 31, "more than 30 digits"),
        ("0." + "1" * 31, "more than 30 digits"),
        ("0." + "0" * 70 + "1", "longer than 64"),
        (Decimal("1e40"), "magnitude"),
    ],
)
def test_unbounded_inputs_are_refused_before_any_arithmetic(value: object, reason: str) -> None:
    # A Decimal of an unbounded exponent would hang in format() or quantize(): refuse early.
    with pytest.raises(MoneyFormatError, match=reason):
        parse_decimal(value, "f")
    with pytest.raises(MoneyFormatError):
        number_text(value, "f")
    with pytest.raises(MoneyFormatError):
        amount_text(value, "f")


def test_bounds_still_admit_real_values() -> None:
    assert parse_decimal("1" * 30, "f") == Decimal("1" * 30)
    assert parse_decimal("1e30", "f") == Decimal("1e30")
    assert parse_decimal("1e-30", "f") == Decimal("1e-30")
    assert parse_decimal(12717, "f") == Decimal(12717)


def test_canonical_text() -> None:
    assert dollars_text("0.27") == "0.2700"
    assert dollars_text("0.27005") == "0.2700"  # quantized half-even to the tick of the column
    assert dollars_text(None) is None and dollars_text("") is None
    assert cents_text(27) == "0.2700" and cents_text("4.0") == "0.0400"
    assert count_text("10") == "10.00" and count_text(12) == "12.00"
    assert amount_text("12717", "liquidity_dollars") == "12717.0000"
    assert amount_cents_text(1271700, "liquidity") == "12717.0000"
    assert number_text(72.0, "floor_strike") == "72"
    assert number_text("72.50", "cap_strike") == "72.50"
    assert number_text("1E+2", "cap_strike") == "100"
    assert number_text(None, "cap_strike") is None
    assert format_dollars(Decimal("0.5")) == "0.5000"
    assert format_count(Decimal("3")) == "3.00"


def test_canonical_text_refusals_name_the_field() -> None:
    with pytest.raises(MoneyFormatError, match="^volume_fp: not a number"):
        count_text("ten", "volume_fp")
    with pytest.raises(MoneyFormatError, match="^yes_bid: 200 cents outside"):  # as given
        cents_text(200, "yes_bid")
    with pytest.raises(MoneyFormatError, match="boolean"):
        dollars_text(True, "yes_bid_dollars")  # True must not hit a cached "1"
    with pytest.raises(MoneyFormatError, match="float"):
        count_text(1.0, "volume_fp")
    # a value within the input bounds but too wide for the 4-dp context still fails cleanly
    with pytest.raises(MoneyFormatError, match="too large"):
        amount_text("1e29", "notional_value_dollars")


def test_failures_are_not_cached() -> None:
    with pytest.raises(MoneyFormatError, match="^a: "):
        dollars_text("2", "a")
    with pytest.raises(MoneyFormatError, match="^b: "):
        dollars_text("2", "b")
    assert dollars_text(1, "a") == "1.0000" and dollars_text("1", "b") == "1.0000"


def test_absent_is_none_or_empty() -> None:
    assert is_absent(None) and is_absent("")
    assert not is_absent("0") and not is_absent(0)


def test_half_up_rounding_not_bankers() -> None:
    assert round_half_up(Decimal("82.5")) == 83
    assert round_half_up(Decimal("-0.5")) == -1
    # 28.3 °C -> 82.94 °F -> 83; the whole-°C body 28 would give 82.4 -> 82.
    assert whole_f(Decimal("28.3")) == 83
    assert whole_f(Decimal("28")) == 82
