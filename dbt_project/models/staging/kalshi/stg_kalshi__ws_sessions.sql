with

ws_sessions as (
    select * from {{ optional_source('kalshi_ws', 'ws_sessions') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_sessions.data_source,
        ws_sessions.source_file,
        ws_sessions.connection_id,
        ws_sessions.first_received_at,
        ws_sessions.last_received_at,
        ws_sessions.line_count
    from ws_sessions
    inner join finished_loads
        on ws_sessions._dlt_load_id = finished_loads.load_id
)

select * from final
