{#- One row per checkpoint of int_gate_contract_checkpoints (data source, station, climate date,
    checkpoint; HIGH and LOW share them): the latest forecast of the climate date published at
    or before the checkpoint, never one published after it. -#}

with

contract_checkpoints as (
    select * from {{ ref('int_gate_contract_checkpoints') }}
),

forecast_asof as (
    select * from {{ ref('int_forecast_asof') }}
),

checkpoints as (
    select distinct
        contract_checkpoints.data_source,
        contract_checkpoints.station_icao,
        contract_checkpoints.climate_date,
        contract_checkpoints.checkpoint_minute,
        contract_checkpoints.checkpoint_at
    from contract_checkpoints
),

final as (
    select
        checkpoints.data_source,
        checkpoints.station_icao,
        checkpoints.climate_date,
        checkpoints.checkpoint_minute,
        checkpoints.checkpoint_at,
        forecast_asof.forecast_high_f,
        forecast_asof.forecast_low_f,
        forecast_asof.lead_days,
        forecast_asof.published_at
    from checkpoints
    -- ASOF: the forecast with the greatest published_at <= the checkpoint
    asof left join forecast_asof
        on
            checkpoints.data_source = forecast_asof.data_source
            and checkpoints.station_icao = forecast_asof.station_icao
            and checkpoints.climate_date = forecast_asof.climate_date
            and checkpoints.checkpoint_at >= forecast_asof.published_at
)

select * from final
