with

ws_lifecycle as (
    select * from {{ optional_source('kalshi_ws', 'ws_lifecycle') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_lifecycle.data_source,
        ws_lifecycle.market_ticker,
        ws_lifecycle.received_at,
        ws_lifecycle.event_type,
        ws_lifecycle.result,
        ws_lifecycle.extra_json,
        ws_lifecycle.source_file,
        ws_lifecycle.source_line
    from ws_lifecycle
    inner join finished_loads
        on ws_lifecycle._dlt_load_id = finished_loads.load_id
)

select * from final
