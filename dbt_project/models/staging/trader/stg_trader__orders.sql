with

orders as (
    select * from {{ optional_source('trader', 'orders') }}
),

finished_loads as (
    {{ finished_loads('trader') }}
),

final as (
    select
        orders.data_source,
        orders.journal_id,
        orders.client_order_id,
        orders.dedup_key,
        orders.order_row_id,
        orders.decision_id,
        orders.venue_order_id,
        coalesce(orders.broker, 'paper') as broker,
        orders.station_icao,
        orders.contract_type,
        orders.climate_date,
        orders.market_ticker,
        orders.bracket_lower,
        orders.bracket_upper,
        orders.side,
        orders.action as order_action,
        orders.count as ordered_count,
        cast(orders.limit_price as decimal(18, 4)) as limit_price_dollars,
        orders.status,
        orders.status_reason,
        orders.created_at,
        orders.updated_at
    from orders
    inner join finished_loads
        on orders._dlt_load_id = finished_loads.load_id
)

select * from final
