{#- The backtest trades only test climate dates, inside the station's window, with the thresholds
    of dim_station_thresholds, and only risk limits ever block an order the engine wanted. -#}

with

backtest_trades as (
    select * from {{ ref('fct_backtest_trades') }}
),

thresholds as (
    select * from {{ ref('dim_station_thresholds') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
)

select
    backtest_trades.data_source,
    backtest_trades.station_icao,
    backtest_trades.contract_type,
    backtest_trades.climate_date,
    backtest_trades.checkpoint_minute,
    backtest_trades.reason_code,
    contract_days.sample_period
from backtest_trades
left join thresholds
    on
        backtest_trades.data_source = thresholds.data_source
        and backtest_trades.station_icao = thresholds.station_icao
        and backtest_trades.contract_type = thresholds.contract_type
left join contract_days
    on
        backtest_trades.data_source = contract_days.data_source
        and backtest_trades.station_icao = contract_days.station_icao
        and backtest_trades.contract_type = contract_days.contract_type
        and backtest_trades.climate_date = contract_days.climate_date
where
    contract_days.sample_period is distinct from 'test'
    or thresholds.rule is distinct from backtest_trades.rule
    or backtest_trades.checkpoint_minute < thresholds.window_start_minute
    or backtest_trades.checkpoint_minute > thresholds.window_end_minute
    or (backtest_trades.is_executed and backtest_trades.decision_action <> 'BUY_YES')
    or (not backtest_trades.is_executed and backtest_trades.reason_code not like 'risk_limit_%')
