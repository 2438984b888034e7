with

reconciliation_events as (
    select * from {{ optional_source('trader', 'reconciliation_events') }}
),

finished_loads as (
    {{ finished_loads('trader') }}
),

final as (
    select
        reconciliation_events.data_source,
        reconciliation_events.journal_id,
        reconciliation_events.event_id,
        reconciliation_events.client_order_id,
        reconciliation_events.market_ticker,
        reconciliation_events.kind as event_kind,
        reconciliation_events.detail,
        reconciliation_events.at as occurred_at
    from reconciliation_events
    inner join finished_loads
        on reconciliation_events._dlt_load_id = finished_loads.load_id
)

select * from final
