{#- Every recorded book event per market in recorded order, the input of the order-book replay
    (int_book_minutes, domain.book_replay): snapshot levels (an empty side has a null price),
    deltas, and the gap markers of the book channel. book_stream = connection and sid: a delta
    applies only to the book its own stream's snapshot built. -#}

with

snapshots as (
    select * from {{ ref('stg_kalshi__ws_orderbook_snapshots') }}
),

deltas as (
    select * from {{ ref('stg_kalshi__ws_orderbook_deltas') }}
),

gaps as (
    select * from {{ ref('stg_kalshi__ws_gaps') }}
),

events as (
    select
        data_source,
        market_ticker,
        received_at,
        source_file,
        source_line,
        level as level_index,
        book_side || ':' || level as event_part,
        'snapshot' as event_kind,
        connection_id,
        connection_id || ':' || sid as book_stream,
        seq,
        book_side,
        price_dollars,
        size
    from snapshots
    union all
    select
        data_source,
        market_ticker,
        received_at,
        source_file,
        source_line,
        0 as level_index,
        'delta' as event_part,
        'delta' as event_kind,
        connection_id,
        connection_id || ':' || sid as book_stream,
        seq,
        book_side,
        price_dollars,
        size_change as size
    from deltas
    union all
    select
        data_source,
        market_ticker,
        gap_started_at as received_at,
        source_file,
        source_line,
        0 as level_index,
        'gap' as event_part,
        'gap' as event_kind,
        connection_id,
        cast(null as varchar) as book_stream,
        cast(null as bigint) as seq,
        cast(null as varchar) as book_side,
        cast(null as decimal(18, 4)) as price_dollars,
        cast(null as decimal(18, 2)) as size
    from gaps
    where coalesce(channel, 'orderbook_delta') = 'orderbook_delta'
),

final as (
    select
        data_source,
        market_ticker,
        received_at,
        source_file,
        source_line,
        level_index,
        event_part,
        event_kind,
        connection_id,
        book_stream,
        seq,
        book_side,
        price_dollars,
        size
    from events
)

select * from final
