with

ws_orderbook_deltas as (
    select * from {{ optional_source('kalshi_ws', 'ws_orderbook_deltas') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_orderbook_deltas.data_source,
        ws_orderbook_deltas.market_ticker,
        ws_orderbook_deltas.received_at,
        ws_orderbook_deltas.exchange_at,
        ws_orderbook_deltas.connection_id,
        ws_orderbook_deltas.sid,
        ws_orderbook_deltas.seq,
        ws_orderbook_deltas.book_side,
        cast(ws_orderbook_deltas.price_dollars as decimal(18, 4)) as price_dollars,
        cast(ws_orderbook_deltas.delta_fp as decimal(18, 2)) as size_change,
        ws_orderbook_deltas.source_file,
        ws_orderbook_deltas.source_line
    from ws_orderbook_deltas
    inner join finished_loads
        on ws_orderbook_deltas._dlt_load_id = finished_loads.load_id
)

select * from final
