with

ws_trades as (
    select * from {{ optional_source('kalshi_ws', 'ws_trades') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_trades.data_source,
        ws_trades.trade_id,
        ws_trades.market_ticker,
        ws_trades.received_at,
        ws_trades.created_at,
        cast(ws_trades.yes_price_dollars as decimal(18, 4)) as yes_price_dollars,
        cast(ws_trades.no_price_dollars as decimal(18, 4)) as no_price_dollars,
        cast(ws_trades.count_fp as decimal(18, 2)) as contract_count,
        ws_trades.taker_side,
        ws_trades.source_file,
        ws_trades.source_line
    from ws_trades
    inner join finished_loads
        on ws_trades._dlt_load_id = finished_loads.load_id
)

select * from final
