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
        select * from (values
            ('simulated', 'KMDW', 'HIGH', 960, 1.0, 0.0300, 'candle_1m', 0.0412, 0.0101, 0.0733,
             120, 'GO', 'EV CI above zero on 120 test days'),
            ('simulated', 'KMDW', 'LOW', 480, 2.0, 0.0500, 'candle_1m', -0.0100, -0.0400, 0.0200,
             118, 'KILL', 'EV CI includes zero'),
            ('simulated', 'KNYC', 'HIGH', null, null, null, null, null, null, null,
             0, 'KILL', 'no trades on test days')
        ) as t(data_source, station_icao, contract_type, window_start_minute, buffer_f,
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
    "fct_backtest_daily": """
        create table main.fct_backtest_daily as
        select 'simulated' as data_source, s.station_icao,
               date '2026-01-01' + cast(d as integer) as climate_date,
               cast(((d % 5) - 1.5) * 0.37 as decimal(18, 2)) as pnl_dollars
        from (values ('KMDW'), ('KNYC')) as s(station_icao)
        cross join (select unnest(range(0, 60)) as d)
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


@pytest.fixture
def full_warehouse(warehouse: Path) -> Path:
    """Every mart present, simulated rows only."""
    return build_warehouse(warehouse)
