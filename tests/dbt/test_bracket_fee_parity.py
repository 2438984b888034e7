"""Python domain rules and their dbt macro twins agree: brackets, fees, ticker dates.

The macros are compiled by a real ``dbt compile --inline`` (the project's own macros) and the
compiled SQL is run in DuckDB over (a) a generated grid of strikes x temperatures, including
negative strikes and half-degree strikes, (b) every market the real CSV exports load into the
warehouse, and (c) a grid of fee inputs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from domain.brackets import Bracket, BracketError, bracket_from_strikes, headroom
from domain.fees import trade_fee
from domain.tickers import TickerError, parse_ticker
from tests.conftest import compile_macros

pytestmark = pytest.mark.dbt

TEMPLATE = """
select
    parity_input.case_id as case_id,
    {{ bracket_lower('parity_input.strike_type', 'parity_input.floor_strike',
        'parity_input.cap_strike') }} as lo,
    {{ bracket_upper('parity_input.strike_type', 'parity_input.floor_strike',
        'parity_input.cap_strike') }} as hi,
    {{ bracket_contains('parity_input.value', 'parity_input.lo_in', 'parity_input.hi_in') }} as hit,
    {{ bracket_headroom("'HIGH'", 'parity_input.value', 'parity_input.lo_in',
        'parity_input.hi_in') }} as headroom_high,
    {{ kalshi_fee('parity_input.fee_count', 'parity_input.fee_price', 'parity_input.fee_role',
                  'parity_input.fee_type', 'parity_input.fee_multiplier') }} as fee,
    {{ ticker_climate_date('parity_input.ticker') }} as climate_date,
    {{ bracket_headroom("'LOW'", 'parity_input.value', 'parity_input.lo_in',
        'parity_input.hi_in') }} as headroom_low,
    {{ bracket_error('parity_input.strike_type', 'parity_input.floor_strike',
        'parity_input.cap_strike') }} as bracket_error
from parity_input
"""

COLUMNS = (
    "case_id integer, strike_type varchar, floor_strike decimal(18, 4), "
    "cap_strike decimal(18, 4), value integer, lo_in integer, hi_in integer, "
    "fee_count decimal(18, 2), fee_price decimal(18, 4), fee_role varchar, fee_type varchar, "
    "fee_multiplier decimal(18, 4), ticker varchar"
)
NAMES = re.findall(r"(\w+) (?:integer|varchar|decimal)", COLUMNS)


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The template compiled by dbt (the project's macros)."""
    return compile_macros(TEMPLATE, tmp_path_factory.mktemp("dbt"))


def _run(sql: str, rows: list[dict[str, Any]]) -> dict[int, tuple]:
    con = duckdb.connect()
    con.execute(f"create table parity_input ({COLUMNS})")
    # exact text in, typed by the table's casts (no float on the way)
    staged = pa.table(
        {name: pa.array([_text(row.get(name)) for row in rows], pa.string()) for name in NAMES}
    )
    con.register("staged", staged)
    con.execute("insert into parity_input select * from staged")
    out = con.execute(sql).fetchall()
    con.close()
    return {row[0]: row[1:] for row in out}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _strike_grid() -> Iterator[tuple[str, Decimal | None, Decimal | None]]:
    halves = [Decimal(n) / 2 for n in range(-41, 42)]  # -20.5 .. 20.5
    for floor, width in itertools.product(
        halves, (Decimal(0), Decimal("0.5"), Decimal(1), Decimal(2))
    ):
        yield "between", floor, floor + width
    for strike in halves:
        yield "greater", strike, None
        yield "less", None, strike
        yield "greater_or_equal", strike, None
        yield "less_or_equal", None, strike
    yield "between", Decimal(30), None  # cap missing: no open tail
    yield "between", None, Decimal(30)  # floor missing
    yield "greater", None, None  # floor missing
    yield "greater_or_equal", None, Decimal(30)  # floor missing, a cap that must not be used
    yield "less", Decimal(30), None  # cap missing, a floor that must not be used
    yield "less_or_equal", None, None  # cap missing
    yield "custom", None, None  # not a temperature bracket
    yield "custom", Decimal(30), Decimal(31)  # strikes of an unsupported type
    yield "", Decimal(30), Decimal(31)  # no type
    yield "between", Decimal(31), Decimal(30)  # empty
    yield "between", Decimal("30.5"), Decimal("30.9")  # empty once rounded inward
    yield " BETWEEN ", Decimal(30), Decimal(31)  # case and blanks do not matter


def _check_bounds(case: tuple, bracket: Bracket | None, error: str | None, where: str) -> None:
    lo, hi, sql_error = case[0], case[1], case[7]
    if bracket is not None:
        assert (lo, hi, sql_error) == (bracket.lower, bracket.upper, None), where
    else:
        # Python raises: the macro gives no bounds at all (never an open tail) and the same reason
        assert error is not None and sql_error is not None, where
        assert (lo, hi) == (None, None), where
        assert sql_error.split()[:2] == error.split()[:2], (where, sql_error, error)


def test_brackets_agree_on_a_grid(compiled_sql: str) -> None:
    rows: list[dict[str, Any]] = []
    expected: dict[int, tuple[Bracket | None, str | None, int]] = {}
    case_id = 0
    for strike_type, floor, cap in _strike_grid():
        try:
            bracket: Bracket | None = bracket_from_strikes(strike_type, floor, cap)
            error = None
        except BracketError as exc:
            bracket, error = None, str(exc)
        for value in range(-25, 26, 1 if bracket is not None else 25):
            case_id += 1
            rows.append(
                {
                    "case_id": case_id,
                    "strike_type": strike_type,
                    "floor_strike": floor,
                    "cap_strike": cap,
                    "value": value,
                    "lo_in": bracket.lower if bracket else None,
                    "hi_in": bracket.upper if bracket else None,
                }
            )
            expected[case_id] = (bracket, error, value)
    assert len(rows) > 20_000
    got = _run(compiled_sql, rows)
    for cid, (bracket, error, value) in expected.items():
        where = f"case {cid}: {rows[cid - 1]}"
        _check_bounds(got[cid], bracket, error, where)
        if bracket is not None:
            assert got[cid][2] is bracket.contains(value), where
            assert got[cid][3] == headroom(bracket, value, "HIGH"), where
            assert got[cid][6] == headroom(bracket, value, "LOW"), where


@pytest.mark.realdata
def test_brackets_and_dates_agree_on_every_real_market(
    compiled_sql: str, warehouse: Path, realdata: Path
) -> None:
    from pipelines.kalshi import runner

    kalshi = realdata / "kalshi"
    runner.run_files(
        [
            kalshi / "settled_ladders_nyc.csv",
            kalshi / "settled_ladders_chi.csv",
            kalshi / "kxhighchi_2026-06-01_hourly_candles.csv",
        ]
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        markets = con.execute(
            "select market_ticker, strike_type, floor_strike, cap_strike from raw_kalshi.markets"
        ).fetchall()
    assert len(markets) == 6542 + 6870 + 6
    rows, expected = [], {}
    for cid, (ticker, strike_type, floor, cap) in enumerate(markets, start=1):
        bracket = bracket_from_strikes(strike_type, floor, cap)
        rows.append(
            {
                "case_id": cid,
                "strike_type": strike_type,
                "floor_strike": Decimal(floor) if floor is not None else None,
                "cap_strike": Decimal(cap) if cap is not None else None,
                "ticker": ticker,
            }
        )
        expected[cid] = (bracket, parse_ticker(ticker).climate_date)
    got = _run(compiled_sql, rows)
    for cid, (bracket, day) in expected.items():
        assert got[cid][:2] == (bracket.lower, bracket.upper), rows[cid - 1]
        assert got[cid][5] == day, rows[cid - 1]


def test_ticker_dates_agree_including_malformed(compiled_sql: str) -> None:
    tickers = [
        "KXHIGHCHI-26JAN23-B30.5",
        "HIGHNY-23JAN01",
        "kxhighny-25dec05-t37",
        "KXLOWTNYC-24FEB29-B20.5",
        "KXHIGHNY-25FEB30",
        "KXHIGHNY-25FOO12-B40.5",
        "HIGHAUS--23MAY11-B88.5",
    ]
    rows = [{"case_id": i, "ticker": t} for i, t in enumerate(tickers, start=1)]
    got = _run(compiled_sql, rows)
    for cid, ticker in enumerate(tickers, start=1):
        try:
            day = parse_ticker(ticker).climate_date
        except TickerError:
            day = None
        assert got[cid][5] == day, ticker


def test_fees_agree_on_a_grid(compiled_sql: str) -> None:
    rows, expected = [], {}
    counts = [Decimal(n) for n in (1, 2, 3, 5, 7, 10, 13, 25, 100, 999)] + [Decimal("2.5")]
    prices = [Decimal(n) / 100 for n in range(0, 101)] + [Decimal("0.4550"), Decimal("0.0010")]
    combos = itertools.product(
        counts,
        prices,
        ("taker", "maker"),
        ("quadratic", "quadratic_with_maker_fees"),
        (Decimal(1), Decimal("0.5"), Decimal(2), Decimal("1.25")),
    )
    for cid, (count, price, role, fee_type, mult) in enumerate(combos, start=1):
        rows.append(
            {
                "case_id": cid,
                "fee_count": count,
                "fee_price": price,
                "fee_role": role,
                "fee_type": fee_type,
                "fee_multiplier": mult,
            }
        )
        expected[cid] = trade_fee(count, price, role=role, fee_type=fee_type, fee_multiplier=mult)  # type: ignore[arg-type]
    got = _run(compiled_sql, rows)
    mismatches = [
        (rows[cid - 1], fee, got[cid][4]) for cid, fee in expected.items() if got[cid][4] != fee
    ]
    assert mismatches == []
    # a hand-checked point, on the SQL output: 0.07 x 10 x 0.5 x 0.5 = 0.175 -> $0.18
    assert got[
        next(
            c
            for c, r in enumerate(rows, 1)
            if r["fee_count"] == 10
            and r["fee_price"] == Decimal("0.5")
            and r["fee_role"] == "taker"
            and r["fee_multiplier"] == 1
        )
    ][4] == Decimal("0.18")
