with

decisions as (
    select * from {{ optional_source('trader', 'decisions') }}
),

finished_loads as (
    {{ finished_loads('trader') }}
),

final as (
    select
        decisions.data_source,
        decisions.journal_id,
        decisions.decision_id,
        decisions.station_icao,
        decisions.contract_type,
        decisions.climate_date,
        decisions.market_ticker,
        decisions.checkpoint_minute,
        decisions.verdict,
        decisions.rule,
        decisions.action as decision_action,
        decisions.reason_code,
        decisions.reason,
        cast(decisions.price as decimal(18, 4)) as price_dollars,
        decisions.count as contract_count,
        cast(decisions.fee as decimal(18, 4)) as fee_dollars,
        cast(decisions.probability as decimal(18, 4)) as probability,
        cast(decisions.expected_value_per_contract as decimal(18, 4))
            as expected_value_per_contract_dollars,
        decisions.running_extreme_f,
        cast(decisions.observation_age_minutes as decimal(18, 2)) as observation_age_minutes,
        decisions.decided_at
    from decisions
    inner join finished_loads
        on decisions._dlt_load_id = finished_loads.load_id
)

select * from final
