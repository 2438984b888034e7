with

fills as (
    select * from {{ optional_source('trader', 'fills') }}
),

finished_loads as (
    {{ finished_loads('trader') }}
),

final as (
    select
        fills.data_source,
        fills.journal_id,
        fills.fill_id,
        fills.client_order_id,
        fills.market_ticker,
        cast(fills.count as decimal(18, 2)) as contract_count,
        cast(fills.price as decimal(18, 4)) as price_dollars,
        cast(fills.fee as decimal(18, 4)) as fee_dollars,
        fills.is_taker,
        fills.filled_at,
        fills.recorded_at
    from fills
    inner join finished_loads
        on fills._dlt_load_id = finished_loads.load_id
)

select * from final
