"""A small hand-built warehouse whose tables are named and shaped like the gate marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

STATIONS = ("KMDW", "KNYC")
CONTRACTS = ("HIGH", "LOW")

MART_SQL = {
    "dim_station_thresholds": """
        create table main.dim_station_thresholds as
        select *, 1440 as window_end_minute, cast(0.02 as decimal(18, 4)) as go_min_ev_dollars,
               date '2026-01-01' as test_start_date, date '2026-03-01' as test_end_date
        from (values
            ('simulated', 'KMDW', 'HIGH', 'fair_value', 960, 1.0, 0.0300, 'candle_1m', 0.0412,
             0.0101, 0.0733, 120, 'GO', 'EV CI above zero on 120 test days'),
            ('simulated', 'KMDW', 'LOW', 'design', 480, 2.0, 0.0500, 'candle_1m', -0.0100,
             -0.0400, 0.0200, 118, 'KILL', 'EV CI includes zero'),
            ('simulated', 'KNYC', 'HIGH', null, null, null, null, null, null, null, null,
             0, 'KILL', 'no trades on test days')
        ) as t(data_source, station_icao, contract_type, rule, window_start_minute, buffer_f,
               min_edge_dollars, tier, ev_per_contract_dollars, ev_ci_low_dollars,
               ev_ci_high_dollars, test_day_count, verdict, reason)
    """,
    "fct_accuracy_by_window": """
        create table main.fct_accuracy_by_window as
        select 'simulated' as data_source, s.station_icao, c.contract_type,
               m.checkpoint_minute, p.period_type, b.buffer_f, 30 as day_count,
               case when p.period_type = 'all' and b.buffer_f = 0
                    then least(1.0, m.checkpoint_minute / 1440.0 + 0.05 * s.k)
                    else 0.01 end as accuracy
        from (values ('KMDW', 0), ('KNYC', 1)) as s(station_icao, k)
        cross join (values ('HIGH'), ('LOW')) as c(contract_type)
        cross join (select unnest(range(15, 1441, 15)) as checkpoint_minute) as m
        cross join (values ('all'), ('season')) as p(period_type)
        cross join (values (0), (2)) as b(buffer_f)
    """,
    "fct_historical_edge": """
        create table main.fct_historical_edge as
        select 'simulated' as data_source, s.station_icao, c.contract_type,
               m.checkpoint_minute, p.sample_period, g.strategy,
               cast((m.checkpoint_minute - 720) / 20000.0 as decimal(18, 4))
                   as mean_realised_pnl_dollars,
               case when m.checkpoint_minute < 120 then 0 else 12 end as trade_count
        from (values ('KMDW'), ('KNYC')) as s(station_icao)
        cross join (values ('HIGH'), ('LOW')) as c(contract_type)
        cross join (select unnest(range(15, 1441, 15)) as checkpoint_minute) as m
        cross join (values ('all'), ('test')) as p(sample_period)
        cross join (values ('best_edge'), ('running_bracket')) as g(strategy)
    """,
    "fct_market_calibration": """
        create table main.fct_market_calibration as
        select 'simulated' as data_source, s.station_icao, c.contract_type,
               basis.price_basis, h.hours_to_close_min,
               cast(b / 10.0 + 0.05 as decimal(18, 4)) as mean_price_dollars,
               least(1, b / 10.0 + 0.04 + h.hours_to_close_min / 200.0) as realised_yes_rate,
               greatest(0, b / 10.0 - 0.02) as ci_low,
               least(1, b / 10.0 + 0.1 + h.hours_to_close_min / 200.0) as ci_high,
               50 as market_count
        from (values ('ALL'), ('KMDW')) as s(station_icao)
        cross join (values ('HIGH'), ('LOW'), ('ALL')) as c(contract_type)
        cross join (values ('mid'), ('yes_ask')) as basis(price_basis)
        cross join (values (0.0), (6.0), (24.0)) as h(hours_to_close_min)
        cross join (select unnest(range(0, 10)) as b)
    """,
    # 60 test days: KMDW HIGH (GO) trades every day, KMDW LOW (KILL) every other day
    "fct_backtest_trades": """
        create table main.fct_backtest_trades as
        select 'simulated' as data_source, 'KMDW' as station_icao, c.contract_type,
               date '2026-01-01' + cast(d as integer) as climate_date, c.rule,
               c.station_verdict, true as is_executed, 'station_contract' as risk_scope,
               cast(0.05 + (d % 10) / 10.0 as decimal(18, 6)) as probability,
               (d % 10) >= 4 as is_win,
               cast(case when (d % 10) >= 4 then 1.5 else -1.0 end as decimal(18, 2))
                   as pnl_dollars
        from (values ('HIGH', 'fair_value', 'GO'), ('LOW', 'design', 'KILL'))
            as c(contract_type, rule, station_verdict)
        cross join (select unnest(range(0, 60)) as d)
        where c.contract_type = 'HIGH' or d % 2 = 0
        union all
        -- a risk halt: not bought, so neither in the book nor in the reliability diagram
        select 'simulated', 'KMDW', 'HIGH', date '2026-01-02', 'fair_value', 'GO', false,
               'station_contract', 0.5, false, 0.00
    """,
    "fct_climate_day": """
        create table main.fct_climate_day as
        select 'simulated' as data_source, s.station_icao,
               date '2025-11-01' + cast(d as integer) as climate_date,
               96 as observation_count
        from (values ('KMDW'), ('KNYC')) as s(station_icao)
        cross join (select unnest(range(0, 120)) as d)
    """,
    "fct_market_outcomes": """
        create table main.fct_market_outcomes as
        select 'simulated' as data_source, s.station_icao,
               date '2025-11-01' + cast(d as integer) as climate_date,
               case when d % 6 = 0 then 'yes' else 'no' end as kalshi_result
        from (values ('KMDW'), ('KNYC')) as s(station_icao)
        cross join (select unnest(range(0, 120)) as d)
    """,
}


def build_warehouse(path: Path, marts: tuple[str, ...] = tuple(MART_SQL)) -> Path:
    """Write a tmp warehouse with raw tables and the chosen marts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw_iem")
        con.execute(
            "create table raw_iem.asos_observations as select 'simulated' as data_source, "
            "'KMDW' as station, unnest(range(10)) as n"
        )
        con.execute("create table raw_iem._dlt_loads as select 1 as load_id")
        for name in marts:
            con.execute(MART_SQL[name])
    return path


def add_real_markets(path: Path) -> Path:
    """Real Kalshi rows beside the simulated ones, as a files load of settled ladders leaves
    them: raw markets, outcomes and a market calibration, but no real observations, so no real
    verdict, accuracy, edge or backtest."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw_kalshi")
        con.execute(
            "create table raw_kalshi.markets as select 'real' as data_source, "
            "unnest(range(25)) as n"
        )
        con.execute("create table raw_kalshi._dlt_loads as select 1 as load_id")
        con.execute(
            "insert into main.fct_market_outcomes select 'real', 'KNYC', "
            "date '2024-01-01' + cast(d as integer), 'no' from range(0, 20) as t(d)"
        )
        con.execute(
            "insert into main.fct_market_calibration by name select 'real' as data_source, "
            "station_icao, contract_type, price_basis, hours_to_close_min, mean_price_dollars, "
            "realised_yes_rate, ci_low, ci_high, 4 as market_count "
            "from main.fct_market_calibration where data_source = 'simulated'"
        )
    return path


@pytest.fixture
def full_warehouse(warehouse: Path) -> Path:
    """Every mart present, simulated rows only."""
    return build_warehouse(warehouse)


@pytest.fixture
def mixed_warehouse(warehouse: Path) -> Path:
    """Every mart present; simulated rows, plus real Kalshi markets without observations."""
    return add_real_markets(build_warehouse(warehouse))
