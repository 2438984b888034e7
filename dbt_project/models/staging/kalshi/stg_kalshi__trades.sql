with

trades as (
    select * from {{ optional_source('kalshi', 'trades') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        trades.data_source,
        trades.trade_id,
        trades.market_ticker,
        cast(trades.count_fp as decimal(18, 2)) as contract_count,
        cast(trades.yes_price_dollars as decimal(18, 4)) as yes_price_dollars,
        cast(trades.no_price_dollars as decimal(18, 4)) as no_price_dollars,
        trades.taker_side,
        trades.created_time as traded_at,
        trades.ingest_channel
    from trades
    inner join finished_loads
        on trades._dlt_load_id = finished_loads.load_id
)

select * from final
