with

orderbook_snapshots as (
    select * from {{ optional_source('kalshi', 'orderbook_snapshots') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        orderbook_snapshots.data_source,
        orderbook_snapshots.market_ticker,
        orderbook_snapshots.snapshot_at,
        orderbook_snapshots.book_side,
        cast(orderbook_snapshots.level as integer) as level,  -- noqa: RF04
        cast(orderbook_snapshots.price_dollars as decimal(18, 4)) as price_dollars,
        cast(orderbook_snapshots.size_fp as decimal(18, 2)) as size,
        -- a best bid of 0 means that side of the book is empty
        coalesce(cast(orderbook_snapshots.price_dollars as decimal(18, 4)) = 0, true)
            as is_empty_side,
        orderbook_snapshots.ingest_channel
    from orderbook_snapshots
    inner join finished_loads
        on orderbook_snapshots._dlt_load_id = finished_loads.load_id
)

select * from final
