{#- fct_backtest_daily adds up: per data source and station (and for ALL) the daily P&L and trade
    counts sum to the executed trades of fct_backtest_trades, and the last cumulative P&L equals
    the period P&L. -#}

with

backtest_trades as (
    select * from {{ ref('fct_backtest_trades') }}
),

backtest_daily as (
    select * from {{ ref('fct_backtest_daily') }}
),

trade_totals as (
    select
        backtest_trades.data_source,
        book.station_icao,
        count(*) filter (where backtest_trades.is_executed) as trade_count,
        coalesce(
            sum(backtest_trades.pnl_dollars) filter (where backtest_trades.is_executed), 0
        ) as pnl_dollars
    from backtest_trades
    cross join unnest([backtest_trades.station_icao, 'ALL']) as book (station_icao)
    group by all
),

daily_totals as (
    select
        backtest_daily.data_source,
        backtest_daily.station_icao,
        sum(backtest_daily.trade_count) as trade_count,
        sum(backtest_daily.pnl_dollars) as pnl_dollars,
        arg_max(backtest_daily.cumulative_pnl_dollars, backtest_daily.climate_date)
            as last_cumulative_pnl_dollars,
        max(backtest_daily.period_pnl_dollars) as period_pnl_dollars
    from backtest_daily
    group by all
)

select
    coalesce(trade_totals.data_source, daily_totals.data_source) as data_source,
    coalesce(trade_totals.station_icao, daily_totals.station_icao) as station_icao,
    trade_totals.trade_count as trades_trade_count,
    daily_totals.trade_count as daily_trade_count,
    trade_totals.pnl_dollars as trades_pnl_dollars,
    daily_totals.pnl_dollars as daily_pnl_dollars,
    daily_totals.last_cumulative_pnl_dollars
from trade_totals
full outer join daily_totals
    on
        trade_totals.data_source = daily_totals.data_source
        and trade_totals.station_icao = daily_totals.station_icao
where
    coalesce(trade_totals.trade_count, 0) <> coalesce(daily_totals.trade_count, 0)
    or coalesce(trade_totals.pnl_dollars, 0) <> coalesce(daily_totals.pnl_dollars, 0)
    or daily_totals.last_cumulative_pnl_dollars <> daily_totals.period_pnl_dollars
