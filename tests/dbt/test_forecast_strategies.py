"""fct_forecast_strategy_trades (the dbt Python model) on four hand-made days, without a build.

KDEN HIGH, days 2025-08-01..04 (the first two train, the last two test). Each day has two
checkpoints, 00:15 and 12:00 LST, and two brackets, 50-51 and 52-53 (the YES). The forecast
published the evening before says 50.6 °F (bracket 50-51); a second one published at 11:00 LST
says 53 °F. At 12:00 the running high is 51, at the upper edge. Expected:

- only test days come out (train days only choose the parameters);
- the open is 00:15, and both strategies buy 50-51 there: the 53 °F forecast, published later,
  is not seen at the open (no look-ahead);
- ``open_maker_next_over`` sells 50-51 at its bid at 12:00 and buys 52-53, which wins; money
  is exact Decimal;
- ``open_maker_base`` (hold 50-51) loses every train day, so its search picks a ``max_ask``
  below the 0.40 ask and it trades no test day;
- with no forecasts the model returns no rows, with the declared column types.
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

from domain.fees import trade_fee

MODEL = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "thresholds"
META = {"stake_min": "5.00", "stake_max": "10.00", "trials": 8, "seed": 1}


def _load_model() -> ModuleType:
    path = MODEL / "fct_forecast_strategy_trades.py"
    spec = importlib.util.spec_from_file_location("fct_forecast_strategy_trades", path)
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
        create table int_gate_contract_days as
        select
            'simulated' as data_source, 'KDEN' as station_icao, 'HIGH' as contract_type,
            date '2025-08-01' + cast(range as integer) as climate_date,
            case when range < 2 then 'train' else 'test' end as sample_period,
            true as has_settled_ladder
        from range(4)
        """
    )
    con.execute(
        """
        create table int_gate_market_checkpoints as
        with brackets as (
            select * from (values ('B50.5', 50, 51, 'no'), ('B52.5', 52, 53, 'yes'))
                as b (suffix, bracket_lower, bracket_upper, result)
        ),
        minutes as (select unnest([15, 720]) as checkpoint_minute)
        select
            d.data_source, d.station_icao, d.contract_type, d.climate_date,
            'KXHIGHDEN-' || strftime(d.climate_date, '%y%b%d') || '-' || b.suffix
                as market_ticker,
            -- KDEN is UTC-7 in standard time
            timezone('UTC', cast(d.climate_date as timestamp) + interval 7 hour)
            + to_minutes(m.checkpoint_minute) as checkpoint_at,
            case when m.checkpoint_minute = 15 then 40 else 51 end as running_extreme_f,
            b.bracket_lower, b.bracket_upper, b.result,
            cast(case when b.bracket_lower = 50 then 0.30 else 0.35 end as decimal(18, 4))
                as yes_bid_dollars,
            cast(case when b.bracket_lower = 50 then 0.40 else 0.50 end as decimal(18, 4))
                as executable_yes_ask_dollars
        from int_gate_contract_days as d
        cross join brackets as b
        cross join minutes as m
        """
    )
    con.execute(
        """
        create table int_markets_enriched as
        select distinct
            data_source, market_ticker, 'quadratic' as fee_type,
            cast(1 as decimal(18, 6)) as fee_multiplier
        from int_gate_market_checkpoints
        """
    )
    con.execute(
        """
        create table int_forecast_asof as
        select
            d.data_source, d.station_icao, d.climate_date, f.lead_days,
            cast(f.forecast_f as decimal(6, 1)) as forecast_high_f,
            cast(30 as decimal(6, 1)) as forecast_low_f,
            timezone('UTC', cast(d.climate_date as timestamp) + interval 7 hour)
            + to_minutes(f.published_minute) as published_at
        from int_gate_contract_days as d
        cross join (values (1, 50.6, -300), (0, 53.0, 660))
            as f (lead_days, forecast_f, published_minute)
        """
    )
    return con


def _rows(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    names = list(relation.columns)
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def test_open_entry_switch_and_test_period_only(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(_load_model().model(_Dbt(con, META), con))
    assert [(r["strategy"], r["climate_date"]) for r in rows] == [
        ("open_maker_next_over", date(2025, 8, 3)),
        ("open_maker_next_over", date(2025, 8, 4)),
    ]
    assert {r["sample_period"] for r in rows} == {"test"}
    switch = rows[0]
    assert switch["entry_market_ticker"].endswith("-B50.5")
    assert switch["forecast_f"] == Decimal("50.6")  # the 53 °F forecast came after the open
    assert (switch["opened_at"].hour, switch["opened_at"].minute) == (7, 15)
    assert switch["final_market_ticker"].endswith("-B52.5")
    assert (switch["exited_at"].hour, switch["exited_at"].minute) == (19, 0)
    assert switch["exit_bid_dollars"] == Decimal("0.30") and switch["is_win"] is True
    assert switch["max_ask_dollars"] >= Decimal("0.50")
    entry_fee, exit_fee = trade_fee(25, Decimal("0.40")), trade_fee(25, Decimal("0.30"))
    buy_fee = trade_fee(20, Decimal("0.50"))
    assert switch["pnl_dollars"] == (
        25 * (Decimal("0.30") - Decimal("0.40")) - entry_fee - exit_fee + 10 - buy_fee
    )


def test_no_forecasts_gives_no_rows_with_types(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from int_forecast_asof")
    relation = _load_model().model(_Dbt(con, META), con)
    assert relation.fetchall() == []
    types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
    assert types["pnl_dollars"] == "DECIMAL(18,2)" and types["climate_date"] == "DATE"
