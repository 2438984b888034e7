{#- Test-period figures of the forecast strategies (fct_forecast_strategy_trades) per data
    source x strategy x station x contract, plus station_icao = 'ALL' rows per data source x
    strategy x contract. Settled trades only count in the win rate and EV per trade. -#}

with

strategy_trades as (
    select * from {{ ref('fct_forecast_strategy_trades') }}
),

trade_rows as (
    select
        strategy_trades.data_source,
        strategy_trades.strategy,
        book.station_icao,
        strategy_trades.contract_type,
        strategy_trades.sample_period,
        strategy_trades.is_win,
        strategy_trades.exited_at,
        strategy_trades.pnl_dollars
    from strategy_trades
    cross join unnest([strategy_trades.station_icao, 'ALL']) as book (station_icao)
),

final as (
    select
        trade_rows.data_source,
        trade_rows.strategy,
        trade_rows.station_icao,
        trade_rows.contract_type,
        trade_rows.sample_period,
        cast(count(*) as integer) as trade_count,
        cast(count(trade_rows.is_win) as integer) as settled_count,
        cast(count(*) filter (where trade_rows.is_win) as integer) as win_count,
        cast(count(trade_rows.exited_at) as integer) as switch_count,
        count(*) filter (where trade_rows.is_win) / nullif(count(trade_rows.is_win), 0)
            as win_rate,
        cast(coalesce(sum(trade_rows.pnl_dollars), 0) as decimal(18, 2)) as pnl_dollars,
        cast(
            sum(trade_rows.pnl_dollars) / nullif(count(trade_rows.pnl_dollars), 0)
            as decimal(18, 4)
        ) as ev_per_trade_dollars
    from trade_rows
    group by all
)

select * from final
