"""The sizing and no-quote macros agree with their Python twins, and every model uses them.

``size_order`` (dbt_project/macros/sizing.sql) and ``executable_ask`` / ``executable_bid``
(quotes.sql) are compiled by a real ``dbt compile --inline`` and run in DuckDB on generated grids
(every ask from $0.0001 to $1.0000 in $0.0001 steps against several stake pairs, including
stake_min == stake_max and counts whose cost equals stake_min exactly; quotes including 0, 1,
negatives and null), against ``domain.sizing.size_order`` and ``domain.quotes``. Then every row
with an ask in the sample warehouse's gate, engine inputs and candidate trades carries the count
``domain.sizing.size_order`` gives, and no SQL file but the macro holds a sizing formula.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
import yaml

from domain.quotes import executable_ask, executable_bid
from domain.sizing import size_order
from tests.conftest import REPO_ROOT, compile_macros

pytestmark = pytest.mark.dbt

TEMPLATE = """
select
    parity_input.case_id as case_id,
    {{ size_order('parity_input.ask', 'parity_input.stake_min', 'parity_input.stake_max') }}
        as contract_count,
    {{ executable_ask('parity_input.quote') }} as yes_ask,
    {{ executable_bid('parity_input.quote') }} as yes_bid
from parity_input
"""
COLUMNS = {
    "case_id": "integer",
    "ask": "decimal(18, 4)",
    "stake_min": "decimal(18, 2)",
    "stake_max": "decimal(18, 2)",
    "quote": "decimal(18, 4)",
}
STAKES = [
    (Decimal("5.00"), Decimal("10.00")),  # the project's pair
    (Decimal("10.00"), Decimal("10.00")),  # min == max: only asks dividing $10 exactly trade
    (Decimal("9.99"), Decimal("10.00")),
    (Decimal("1.00"), Decimal("3.00")),
    (Decimal("2.50"), Decimal("2.50")),
    (Decimal("0.01"), Decimal("0.01")),
    (Decimal("0.50"), Decimal("100.00")),
]
ODD_ASKS = [Decimal(text) for text in ("0.0001", "0.0007", "0.0333", "0.3333", "0.4550", "0.9999")]


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The template compiled by dbt (the project's macros)."""
    return compile_macros(TEMPLATE, tmp_path_factory.mktemp("dbt"))


def _run(sql: str, rows: list[dict[str, Any]]) -> dict[int, tuple[Any, ...]]:
    con = duckdb.connect()
    try:
        con.execute(
            "create table parity_input ("
            + ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
            + ")"
        )
        # exact text in, typed by the table's casts (no float on the way)
        staged = pa.table(
            {
                name: pa.array([_text(row.get(name)) for row in rows], pa.string())
                for name in COLUMNS
            }
        )
        con.register("staged", staged)
        con.execute("insert into parity_input select * from staged")
        return {row[0]: row[1:] for row in con.execute(sql).fetchall()}
    finally:
        con.close()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _python_size(ask: Decimal | None, stake_min: Decimal, stake_max: Decimal) -> int | None:
    """domain.sizing.size_order, or None where it refuses the ask (the macro's null)."""
    if ask is None:
        return None
    try:
        return size_order(ask, stake_min, stake_max)
    except ValueError:
        return None


def test_size_order_agrees_on_a_grid(compiled_sql: str) -> None:
    asks: list[Decimal | None] = [Decimal(n).scaleb(-4) for n in range(1, 10_001)]
    asks += [*ODD_ASKS, Decimal(0), Decimal("-0.0100"), Decimal("1.0001"), None]
    rows: list[dict[str, Any]] = []
    expected: dict[int, int | None] = {}
    for stake_min, stake_max in STAKES:
        for ask in asks:
            case_id = len(rows) + 1
            rows.append(
                {"case_id": case_id, "ask": ask, "stake_min": stake_min, "stake_max": stake_max}
            )
            expected[case_id] = _python_size(ask, stake_min, stake_max)
    got = _run(compiled_sql, rows)
    mismatches = [
        (rows[cid - 1], count, got[cid][0])
        for cid, count in expected.items()
        if got[cid][0] != count
    ]
    assert mismatches == [], mismatches[:10]
    # the grid reaches every branch: skipped (0), cost exactly stake_min, refused asks (null)
    assert sum(1 for count in expected.values() if count == 0) > 1000
    exact = [
        row
        for row, count in zip(rows, expected.values(), strict=True)
        if count and count * row["ask"] == row["stake_min"]
    ]
    assert len(exact) > 50
    assert sum(1 for count in expected.values() if count is None) == 4 * len(STAKES)


def test_no_quote_rule_agrees_on_a_grid(compiled_sql: str) -> None:
    quotes: list[Decimal | None] = [Decimal(n).scaleb(-2) for n in range(-100, 201)]
    quotes += [*ODD_ASKS, Decimal("-0.0001"), Decimal("1.0001"), None]
    rows = [{"case_id": cid, "quote": quote} for cid, quote in enumerate(quotes, start=1)]
    got = _run(compiled_sql, rows)
    for cid, quote in enumerate(quotes, start=1):
        assert got[cid][1:] == (executable_ask(quote), executable_bid(quote)), quote
    # the empty-book prices and the edges are no quote on either side
    for quote in (Decimal(0), Decimal(1), Decimal("-0.01"), None):
        cid = quotes.index(quote) + 1
        assert got[cid][1:] == (None, None), quote


def _stakes() -> tuple[Decimal, Decimal]:
    """The project's stake pair, as exact decimals (dbt_project.yml writes them as strings)."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    stake_vars = (
        project["vars"]["gate_stake_min_dollars"],
        project["vars"]["gate_stake_max_dollars"],
    )
    assert all(isinstance(value, str) for value in stake_vars), "stakes must not be YAML floats"
    return Decimal(stake_vars[0]), Decimal(stake_vars[1])


@pytest.mark.parametrize(
    ("table", "ask_column", "count_column"),
    [
        ("int_gate_market_checkpoints", "executable_yes_ask_dollars", "order_contract_count"),
        ("int_thresholds_engine_inputs", "yes_ask_dollars", "contract_count"),
        ("int_thresholds_candidate_trades", "yes_ask_dollars", "contract_count"),
    ],
)
def test_every_sized_row_of_the_sample_matches_python(
    sample_warehouse: Path, table: str, ask_column: str, count_column: str
) -> None:
    stake_min, stake_max = _stakes()
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        pairs = con.execute(
            f"select {ask_column}, {count_column}, count(*) from {table} "
            f"where {ask_column} is not null group by all"
        ).fetchall()
        unsized = con.execute(
            f"select count(*) from {table} where {ask_column} is null "
            f"and {count_column} is not null"
        ).fetchall()[0][0]
    assert sum(rows for _, _, rows in pairs) > (10 if table.endswith("trades") else 1000)
    wrong = [
        (ask, count) for ask, count, _ in pairs if count != size_order(ask, stake_min, stake_max)
    ]
    assert wrong == []
    assert unsized == 0


def test_one_sizing_formula_in_sql() -> None:
    """Only macros/sizing.sql divides a stake by an ask; models call the macro."""
    # a stake, then within a few lines a division by something named ask
    formula = re.compile(r"stake_max[\s\S]{0,300}?(//|\s/\s)[\s\S]{0,80}?ask", re.I)
    sql_files = sorted((REPO_ROOT / "dbt_project").rglob("*.sql"))
    holders = [
        str(path.relative_to(REPO_ROOT)) for path in sql_files if formula.search(path.read_text())
    ]
    assert holders == ["dbt_project/macros/sizing.sql"]
    callers = [
        path.name
        for path in sql_files
        if "size_order(" in path.read_text() and "macros" not in path.parts
    ]
    assert callers == ["int_gate_market_checkpoints.sql"]
