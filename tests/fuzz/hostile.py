"""Hostile-input strategies and the invariants every parser entry point must keep.

The strategies start from inputs in the real wire formats and break them the ways issue 8 and
an attacker did: numbers with huge exponents or digit counts, non-finite and negative values,
non-string tickers, blank fields, extra and missing fields, long lines, deep nesting, control
characters. Every entry point must then return rows and rejects (or raise only its declared
error); no row may carry a value outside :mod:`domain.bounds`; every input row must be a row
or a reject; and the time per input must stay within :func:`time_budget`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from domain import bounds

T = TypeVar("T")

# Deterministic in CI: derandomized (examples derive from the test), no example database.
# The time limits are asserted by the tests themselves (time_budget), not hypothesis deadlines.
_BASE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz_settings(max_examples: int) -> settings:
    """The suite's hypothesis settings with ``max_examples`` for one entry point."""
    return settings(_BASE, max_examples=max_examples)


def time_budget(text_chars: int) -> float:
    """Seconds one input may take: a fixed allowance plus a linear term per KB.

    Generous against a shared, noisy CI machine; a hang (issue 8: > 25 s under 1 KB) is far
    beyond it.
    """
    return 0.5 + 0.01 * text_chars / 1024


def timed(call: Callable[[], T], size: int) -> T:
    """Run ``call`` and assert it finished within :func:`time_budget` for ``size`` characters."""
    began = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - began
    assert elapsed <= time_budget(size), f"{elapsed:.2f}s for {size} characters"
    return result


# --------------------------------------------------------------------------------------------
# Hostile values
# --------------------------------------------------------------------------------------------

NASTY_NUMBER_TEXTS = (
    "1e999999999",
    "9e999999",
    "-1e999999999",
    "1e-999999999",
    "1e400",
    "1e308",
    "-9999",
    "1000",
    "-500",
    "-5",
    "150",
    "10" + "0" * 40,
    "9" * 5000,
    "0." + "0" * 5000 + "1",
    "inf",
    "-Infinity",
    "nan",
    "NaN",
    "sNaN",
    "1_000",
    "0x10",
    "\u0663",  # Arabic-Indic 3: int() accepts it
    "  ",
    "",
    "M",
    "T",
    "-0",
    "1e30",
    "1e29",
    "0.00001",
    "2.5",
    "99999999999999999999999",
    "1.7976931348623157e308",
    "1e20",
    "1e15",
    "1000000000000001",
    "9223372036854775808",
    "-9223372036854775809",
)

number_texts = st.one_of(
    st.sampled_from(NASTY_NUMBER_TEXTS),
    st.from_regex(r"\A-?[0-9]{1,40}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,12})?\Z"),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
"""Text that a number field might hold: plausible, huge, non-finite, malformed."""

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**30, -(10**30), 2**63, 10**4000]),
    st.floats(allow_nan=True, allow_infinity=True),
    number_texts,
    st.text(max_size=30),
)
"""A JSON value a field might hold (before nesting)."""

json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def nested(depth: int) -> Any:
    """A list nested ``depth`` deep."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


field_texts = st.one_of(
    number_texts,
    st.text(max_size=40),
    st.sampled_from(['"', '""', "a,b", '"quoted, comma"', "\x00", "\r", "\ufeff", "\u2028"]),
    st.integers(min_value=1, max_value=3).map(lambda n: "x" * (20_000 * n)),
)
"""Text a CSV field might hold."""


def mutated_record(template: Mapping[str, Any], values: st.SearchStrategy[Any]) -> Any:
    """A strategy: ``template`` with some values replaced, some keys dropped, some added."""

    @st.composite
    def _make(draw: st.DrawFn) -> dict[str, Any]:
        record = dict(template)
        for key in draw(st.lists(st.sampled_from(sorted(template)), max_size=4, unique=True)):
            if draw(st.booleans()):
                record[key] = draw(values)
            else:
                record.pop(key)
        for key in draw(st.lists(st.text(max_size=8), max_size=2)):
            record[key] = draw(values)
        return record

    return _make()


def mutated_csv(header: str, good_lines: Iterable[str]) -> st.SearchStrategy[str]:
    """A strategy: a CSV document of the good lines, each possibly mutated field by field or as
    a whole (fields added or dropped, quotes, control characters, blank lines, no line end)."""
    lines = list(good_lines)

    @st.composite
    def _line(draw: st.DrawFn) -> str:
        fields = draw(st.sampled_from(lines)).split(",")
        for _ in range(draw(st.integers(0, 4))):
            index = draw(st.integers(0, len(fields) - 1))
            fields[index] = draw(field_texts)
        shape = draw(st.integers(0, 9))
        if shape == 0:
            fields.append(draw(field_texts))
        elif shape == 1 and len(fields) > 1:
            fields.pop(draw(st.integers(0, len(fields) - 1)))
        return ",".join(fields)

    @st.composite
    def _doc(draw: st.DrawFn) -> str:
        body = draw(st.lists(_line(), min_size=1, max_size=6))
        if draw(st.integers(0, 9)) == 0:
            body.insert(draw(st.integers(0, len(body))), "")
        text = "\n".join([header, *body])
        return text if draw(st.integers(0, 9)) == 0 else text + "\n"

    return _doc()


# --------------------------------------------------------------------------------------------
# Invariants on rows
# --------------------------------------------------------------------------------------------

# Dollar columns that are amounts, not contract prices (unbounded but finite).
_AMOUNT_COLUMNS = frozenset({"liquidity_dollars", "notional_value_dollars"})


def assert_kalshi_row_in_bounds(row: Mapping[str, Any]) -> None:
    """Prices in [0, 1], counts >= 0, tickers text: what every raw Kalshi row must hold."""
    for column, value in row.items():
        if value is None:
            continue
        if column.endswith("_dollars") and column not in _AMOUNT_COLUMNS:
            bounds.check_price(Decimal(value), column)
        elif column.endswith("_fp") or column == "trade_count":
            bounds.check_count(Decimal(value), column)
        elif column.endswith("_ticker"):
            assert isinstance(value, str), (column, value)


def assert_observation_in_bounds(row: Mapping[str, Any]) -> None:
    """Every temperature of an observation row within the physical bounds, dew point too."""
    temp, dew = row["temp_f_reported"], row["dewpoint_f_reported"]
    for name in ("temp_f_reported", "dewpoint_f_reported"):
        if row[name] is not None:
            bounds.check_temperature_f(row[name], name)
    for name in ("temp_c_tenths", "dewpoint_c_tenths", "max_6h_c", "min_6h_c"):
        if row[name] is not None:
            bounds.check_temperature_c(row[name], name)
    if temp is not None and dew is not None:
        bounds.check_dewpoint_f(temp, dew)


def assert_daily_in_bounds(row: Mapping[str, Any]) -> None:
    """High and low within the physical bounds, low <= high."""
    for name in ("high_f", "low_f"):
        if row[name] is not None:
            assert isinstance(row[name], int)
            bounds.check_temperature_f(row[name], name)
    bounds.check_daily_range(row["high_f"], row["low_f"])


def as_json(value: Any) -> str:
    """JSON text of a generated value (non-finite floats as JSON's ``Infinity``/``NaN``)."""
    return json.dumps(value)
