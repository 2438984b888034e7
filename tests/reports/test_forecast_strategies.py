"""The forecast-strategies section (reports.forecast_strategies) on a tiny in-memory warehouse."""

from __future__ import annotations

import duckdb

from reports.forecast_strategies import NO_TRADES, NOT_BUILT, forecast_strategies_section


def _warehouse(with_rows: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """
        create table fct_forecast_strategy_summary as
        select * from (values
            ('simulated', 'open_maker_base', 'KDEN', 'HIGH', 'test', 4, 4, 3, 0,
             cast(12.50 as decimal(18, 2))),
            ('simulated', 'open_maker_base', 'ALL', 'HIGH', 'test', 4, 4, 3, 0,
             cast(12.50 as decimal(18, 2)))
        ) as t (data_source, strategy, station_icao, contract_type, sample_period,
                trade_count, settled_count, win_count, switch_count, pnl_dollars)
        """
    )
    con.execute(
        """
        create table fct_backtest_trades as
        select * from (values
            ('simulated', 'KDEN', 'HIGH', true, true, cast(9.65 as decimal(18, 2))),
            ('simulated', 'KDEN', 'HIGH', true, false, cast(-10.35 as decimal(18, 2))),
            ('simulated', 'KDEN', 'HIGH', false, false, cast(0 as decimal(18, 2)))
        ) as t (data_source, station_icao, contract_type, is_executed, is_win, pnl_dollars)
        """
    )
    if not with_rows:
        con.execute("delete from fct_forecast_strategy_summary")
        con.execute("delete from fct_backtest_trades")
    return con


def test_table_puts_the_strategies_beside_the_thermometer() -> None:
    section = forecast_strategies_section(_warehouse(with_rows=True))
    html = section.table_html
    assert html.count("<tr>") == 3  # heading + one row per rule; the ALL row is left out
    assert "open_maker_base" in html and "thermometer (engine)" in html
    assert "$12.50" in html and "75%" in html and "$3.12" in html  # 12.50 / 4, shown to cents
    assert "-$0.70" in html and "50%" in html and "-$0.35" in html  # executed trades only
    assert not section.notes


def test_notes_when_not_built_or_empty() -> None:
    assert forecast_strategies_section(duckdb.connect()).notes == [NOT_BUILT]
    assert forecast_strategies_section(_warehouse(with_rows=False)).notes == [NO_TRADES]
