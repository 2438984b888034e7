with

ws_gaps as (
    select * from {{ optional_source('kalshi_ws', 'ws_gaps') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_gaps.data_source,
        ws_gaps.market_ticker,
        ws_gaps.received_at as gap_started_at,
        ws_gaps.connection_id,
        ws_gaps.reason,
        ws_gaps.channel,
        ws_gaps.sid,
        ws_gaps.expected_seq,
        ws_gaps.received_seq,
        ws_gaps.source_file,
        ws_gaps.source_line
    from ws_gaps
    inner join finished_loads
        on ws_gaps._dlt_load_id = finished_loads.load_id
)

select * from final
