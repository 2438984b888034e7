with

breaker_events as (
    select * from {{ optional_source('trader', 'breaker_events') }}
),

finished_loads as (
    {{ finished_loads('trader') }}
),

final as (
    select
        breaker_events.data_source,
        breaker_events.journal_id,
        breaker_events.event_id,
        breaker_events.breaker,
        breaker_events.scope as breaker_scope,
        breaker_events.state_from,
        breaker_events.state_to,
        breaker_events.reason,
        breaker_events.at as occurred_at,
        breaker_events.until_at
    from breaker_events
    inner join finished_loads
        on breaker_events._dlt_load_id = finished_loads.load_id
)

select * from final
