with

ws_orderbook_snapshots as (
    select * from {{ optional_source('kalshi_ws', 'ws_orderbook_snapshots') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_orderbook_snapshots.data_source,
        ws_orderbook_snapshots.market_ticker,
        ws_orderbook_snapshots.received_at,
        ws_orderbook_snapshots.connection_id,
        ws_orderbook_snapshots.sid,
        ws_orderbook_snapshots.seq,
        ws_orderbook_snapshots.book_side,
        cast(ws_orderbook_snapshots.level as integer) as level,  -- noqa: RF04
        cast(ws_orderbook_snapshots.price_dollars as decimal(18, 4)) as price_dollars,
        cast(ws_orderbook_snapshots.size_fp as decimal(18, 2)) as size,
        ws_orderbook_snapshots.source_file,
        ws_orderbook_snapshots.source_line
    from ws_orderbook_snapshots
    inner join finished_loads
        on ws_orderbook_snapshots._dlt_load_id = finished_loads.load_id
)

select * from final
