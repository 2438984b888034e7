{#- No look-ahead in the engine inputs: the latest observation used at a checkpoint is never
    from after it (a negative age would also make domain.decision.DecisionInput raise). -#}

with

engine_inputs as (
    select * from {{ ref('int_thresholds_engine_inputs') }}
)

select
    engine_inputs.data_source,
    engine_inputs.station_icao,
    engine_inputs.contract_type,
    engine_inputs.climate_date,
    engine_inputs.checkpoint_minute,
    engine_inputs.market_ticker,
    engine_inputs.observation_age_minutes
from engine_inputs
where engine_inputs.observation_age_minutes < 0
