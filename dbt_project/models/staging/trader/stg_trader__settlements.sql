with

settlements as (
    select * from {{ optional_source('trader', 'settlements') }}
),

finished_loads as (
    {{ finished_loads('trader') }}
),

final as (
    select
        settlements.data_source,
        settlements.journal_id,
        settlements.client_order_id,
        settlements.market_ticker,
        settlements.market_result,
        settlements.settled_value_f,
        settlements.running_extreme_f,
        settlements.extreme_disagrees as is_extreme_disagreement,
        cast(settlements.pnl as decimal(18, 4)) as pnl_dollars,
        settlements.risk_day,
        settlements.settled_at
    from settlements
    inner join finished_loads
        on settlements._dlt_load_id = finished_loads.load_id
)

select * from final
