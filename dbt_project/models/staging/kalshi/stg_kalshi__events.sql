with

events as (
    select * from {{ optional_source('kalshi', 'events') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
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
