with

events as (
    select * from {{ source('kalshi', 'events') }}
),

loads as (
    select * from {{ source('kalshi', '_dlt_loads') }}
),

finished_loads as (
    select loads.load_id
    from loads
    where loads.status = 0
),

final as (
    select
        events.data_source,
        events.event_ticker,
        events.series_ticker,
        {{ ticker_climate_date('events.event_ticker') }} as climate_date,
        events.title,
        events.sub_title,
        events.strike_date as strike_at,
        events.mutually_exclusive as is_mutually_exclusive,
        events.ingest_channel
    from events
    inner join finished_loads
        on events._dlt_load_id = finished_loads.load_id
)

select * from final
