{#- Paper/live results per journal x broker x station x contract x climate date, beside the
    backtest's expectation for the same data source, station and contract. The expectation is
    the engine backtest's TEST period (fct_backtest_trades, executed trades: the same engine,
    sizing and risk limits the trader runs): P&L per trade, win rate and EV per contract.
    expected_pnl_dollars = settled trades x the backtest's P&L per trade, so realised and
    expected compare like for like. P&L is booked on the climate date; it is null until one of
    the day's trades has settled. -#}

with

trader_orders as (
    select * from {{ ref('fct_trader_orders') }}
),

backtest_trades as (
    select * from {{ ref('fct_backtest_trades') }}
),

thresholds as (
    select * from {{ ref('dim_station_thresholds') }}
),

days as (
    select
        trader_orders.data_source,
        trader_orders.journal_id,
        trader_orders.broker,
        trader_orders.station_icao,
        trader_orders.contract_type,
        trader_orders.climate_date,
        count(*) as order_count,
        count(*) filter (where trader_orders.is_filled) as trade_count,
        count(*) filter (
            where trader_orders.is_filled and trader_orders.is_win is not null
        ) as settled_trade_count,
        count(*) filter (where trader_orders.is_filled and trader_orders.is_win) as win_count,
        sum(trader_orders.filled_contract_count) as contract_count,
        sum(trader_orders.cost_dollars) as cost_dollars,
        sum(trader_orders.fee_dollars) as fee_dollars,
        sum(trader_orders.pnl_dollars) as pnl_dollars
    from trader_orders
    group by
        trader_orders.data_source,
        trader_orders.journal_id,
        trader_orders.broker,
        trader_orders.station_icao,
        trader_orders.contract_type,
        trader_orders.climate_date
),

expectations as (
    select
        thresholds.data_source,
        thresholds.station_icao,
        thresholds.contract_type,
        thresholds.verdict,
        thresholds.test_start_date,
        thresholds.test_end_date,
        count(backtest_trades.climate_date) as trade_count,
        avg(case when backtest_trades.is_win then 1.0 else 0.0 end) as win_rate,
        sum(backtest_trades.pnl_dollars) / count(backtest_trades.climate_date)
            as pnl_per_trade_dollars,
        sum(backtest_trades.pnl_dollars) / sum(backtest_trades.contract_count)
            as ev_per_contract_dollars
    from thresholds
    left join backtest_trades
        on
            thresholds.data_source = backtest_trades.data_source
            and thresholds.station_icao = backtest_trades.station_icao
            and thresholds.contract_type = backtest_trades.contract_type
            and backtest_trades.is_executed
    group by
        thresholds.data_source,
        thresholds.station_icao,
        thresholds.contract_type,
        thresholds.verdict,
        thresholds.test_start_date,
        thresholds.test_end_date
),

final as (
    select
        days.data_source,
        days.journal_id,
        days.broker,
        days.station_icao,
        days.contract_type,
        days.climate_date,
        days.order_count,
        days.trade_count,
        days.settled_trade_count,
        days.win_count,
        days.win_count / nullif(days.settled_trade_count, 0) as win_rate,
        cast(days.contract_count as decimal(18, 2)) as contract_count,
        cast(days.cost_dollars as decimal(18, 4)) as cost_dollars,
        cast(days.fee_dollars as decimal(18, 4)) as fee_dollars,
        cast(days.pnl_dollars as decimal(18, 4)) as pnl_dollars,
        expectations.verdict as backtest_verdict,
        expectations.test_start_date as backtest_test_start_date,
        expectations.test_end_date as backtest_test_end_date,
        coalesce(expectations.trade_count, 0) as backtest_trade_count,
        expectations.win_rate as backtest_win_rate,
        cast(expectations.pnl_per_trade_dollars as decimal(18, 4))
            as backtest_pnl_per_trade_dollars,
        cast(expectations.ev_per_contract_dollars as decimal(18, 4))
            as backtest_ev_per_contract_dollars,
        cast(days.settled_trade_count * expectations.pnl_per_trade_dollars as decimal(18, 4))
            as expected_pnl_dollars,
        cast(
            days.pnl_dollars - days.settled_trade_count * expectations.pnl_per_trade_dollars
            as decimal(18, 4)
        ) as pnl_vs_expected_dollars
    from days
    left join expectations
        on
            days.data_source = expectations.data_source
            and days.station_icao = expectations.station_icao
            and days.contract_type = expectations.contract_type
)

select * from final
