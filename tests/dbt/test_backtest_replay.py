"""fct_backtest_trades (the dbt Python model) on a hand-made week, without a dbt build.

The model function runs against an in-memory DuckDB holding a one-row thresholds table and the
engine inputs of seven test days at KDEN (UTC-7). Every day the running high (50 °F) sits in the
bracket 50-51 at an ask of 0.50; the first five days settle NO, the last two YES; each result is
known at 08:00 LST the next morning, before that day's window opens (10:00 LST). Expected:

- one row per day, at the first checkpoint inside the window (09:45 is outside, 10:00 trades);
- the station's KILL verdict does not stop the backtest (thresholds go to the engine as GO);
- after the fifth loss settles the risk state halts: days 6 and 7 are blocked orders
  (``risk_limit_consecutive_losses``) with P&L 0 and the P&L they would have made;
- money is exact: 20 contracts at 0.50 cost exactly the $10 maximum and the fee
  ceil(0.07 x 20 x 0.25) = 0.35 comes on top (sizing keeps the fee outside the stake,
  ``domain/sizing.py``), so a loss is -10.35 = -(stake_max + fee) and a win 9.65;
- a blocked order's count and fee are the engine's own (the inputs carry no SQL count or fee).
"""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

MODEL = (
    Path(__file__).resolve().parents[2]
    / "dbt_project"
    / "models"
    / "marts"
    / "thresholds"
    / "fct_backtest_trades.py"
)


META = {"risk_scope": "data_source", "stake_min": "5.0", "stake_max": "10.0"}


def _load_model() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fct_backtest_trades", MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Config:
    def __init__(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def __call__(self, **_: Any) -> None:
        return None

    def meta_get(self, key: str, default: Any = None) -> Any:
        return self.meta.get(key, default)


class _Dbt:
    """The slice of dbt-duckdb's ``dbt`` object the model uses."""

    def __init__(self, con: duckdb.DuckDBPyConnection, meta: dict[str, Any]) -> None:
        self.con = con
        self.config = _Config(meta)

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        return self.con.table(name)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """
        create table dim_station_thresholds as
        select
            'simulated' as data_source, 'KDEN' as station_icao, 'HIGH' as contract_type,
            'design' as rule, 600 as window_start_minute, 1440 as window_end_minute,
            0 as buffer_f, cast(0.9 as decimal(18, 4)) as accuracy,
            cast(0 as decimal(18, 4)) as min_edge, 'A' as tier, 'KILL' as verdict,
            20 as max_obs_age_minutes, cast(5 as decimal(18, 2)) as stake_min,
            cast(10 as decimal(18, 2)) as stake_max
        """
    )
    con.execute(
        """
        create table int_thresholds_engine_inputs as
        with days as (
            select
                cast(range as integer) as day_index,
                date '2025-08-01' + cast(range as integer) as climate_date
            from range(7)
        ),
        minutes as (select unnest([585, 600, 615]) as checkpoint_minute)
        select
            'simulated' as data_source,
            'KDEN' as station_icao,
            'HIGH' as contract_type,
            days.climate_date,
            cast(minutes.checkpoint_minute as integer) as checkpoint_minute,
            'KXHIGHDEN-' || strftime(days.climate_date, '%y%b%d') || '-B50.5' as market_ticker,
            timezone('UTC', cast(days.climate_date as timestamp) + interval 7 hour)
            + to_minutes(minutes.checkpoint_minute) as checkpoint_at,
            'test' as sample_period,
            50 as running_extreme_f,
            cast(10 as decimal(18, 4)) as observation_age_minutes,
            50 as bracket_lower,
            51 as bracket_upper,
            1 as headroom_f,
            cast(0.48 as decimal(18, 4)) as yes_bid_dollars,
            cast(0.50 as decimal(18, 4)) as yes_ask_dollars,
            cast(null as decimal(18, 6)) as model_probability,
            'quadratic' as fee_type,
            cast(1 as decimal(18, 6)) as fee_multiplier,
            case when days.day_index < 5 then 'no' else 'yes' end as result,
            -- 08:00 LST the next morning
            timezone('UTC', cast(days.climate_date as timestamp) + interval 31 hour)
                as settled_at
        from days
        cross join minutes
        """
    )
    return con


def _rows(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    names = list(relation.columns)
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def test_replay_halts_after_five_losses_and_keeps_the_blocked_orders(
    con: duckdb.DuckDBPyConnection,
) -> None:
    model = _load_model()
    rows = _rows(model.model(_Dbt(con, META), con))
    assert [r["climate_date"] for r in rows] == [date(2025, 8, d) for d in range(1, 8)]
    assert all(r["checkpoint_minute"] == 600 for r in rows)
    assert all(r["station_verdict"] == "KILL" and r["risk_scope"] == "data_source" for r in rows)

    executed, blocked = rows[:5], rows[5:]
    for row in executed:
        assert row["is_executed"] and row["decision_action"] == "BUY_YES"
        assert row["contract_count"] == 20 and row["fee_dollars"] == Decimal("0.35")
        assert row["is_win"] is False
        assert row["cost_dollars"] == Decimal("10.00")  # the stake: exactly stake_max
        # the worst loss is stake_max plus the order's fee, no more
        assert row["pnl_dollars"] == Decimal("-10.35") == row["hypothetical_pnl_dollars"]
        assert row["pnl_dollars"] == -(row["cost_dollars"] + row["fee_dollars"])
    for row in blocked:
        assert not row["is_executed"] and row["decision_action"] == "NO_TRADE"
        assert row["reason_code"] == "risk_limit_consecutive_losses"
        assert row["contract_count"] == 20 and row["fee_dollars"] == Decimal("0.35")
        assert row["pnl_dollars"] == Decimal("0.00")
        assert row["hypothetical_pnl_dollars"] == Decimal("9.65")


def test_blocked_orders_are_sized_by_the_engine(con: duckdb.DuckDBPyConnection) -> None:
    # a $6 maximum: 12 contracts at 0.50, fee ceil(0.07 x 12 x 0.25) = 0.21
    model = _load_model()
    rows = _rows(model.model(_Dbt(con, {**META, "stake_max": "6.00"}), con))
    executed, blocked = rows[:5], rows[5:]
    assert {(r["contract_count"], r["fee_dollars"]) for r in rows} == {(12, Decimal("0.21"))}
    assert {r["pnl_dollars"] for r in executed} == {Decimal("-6.21")}
    assert {r["hypothetical_pnl_dollars"] for r in blocked} == {Decimal("5.79")}


def test_station_contract_scope_is_selectable(con: duckdb.DuckDBPyConnection) -> None:
    model = _load_model()
    rows = _rows(model.model(_Dbt(con, {**META, "risk_scope": "station_contract"}), con))
    assert {r["risk_scope"] for r in rows} == {"station_contract"}
    with pytest.raises(ValueError, match="risk scope"):
        model.model(_Dbt(con, {**META, "risk_scope": "everything"}), con)


@pytest.mark.parametrize("missing", sorted(META))
def test_a_missing_setting_is_an_error_not_a_second_default(
    con: duckdb.DuckDBPyConnection, missing: str
) -> None:
    # the only defaults are the vars in dbt_project.yml, passed through the model's meta
    meta = {key: value for key, value in META.items() if key != missing}
    with pytest.raises(ValueError, match=f"meta {missing!r} is missing"):
        _load_model().model(_Dbt(con, meta), con)
