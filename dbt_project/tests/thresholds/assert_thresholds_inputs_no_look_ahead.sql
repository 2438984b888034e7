{#- No look-ahead in the engine inputs: the latest observation used at a checkpoint had been
    published by then. Its age is measured from available_at (observed_at + the publication
    delay of its report type), not observed_at: an observation from 3 minutes before the
    checkpoint that is published 5 minutes after it must fail this test. -#}

with

engine_inputs as (
    select * from {{ ref('int_thresholds_engine_inputs') }}
),

running_extremes as (
    select * from {{ ref('int_running_extremes') }}
),

observations as (
    select * from {{ ref('int_observations__climate_day') }}
),

checkpoints as (
    select distinct
        engine_inputs.data_source,
        engine_inputs.station_icao,
        engine_inputs.climate_date,
        engine_inputs.checkpoint_minute,
        engine_inputs.checkpoint_at
    from engine_inputs
    where engine_inputs.observation_age_minutes is not null
),

used_observations as (
    -- the observation behind the checkpoint's running extreme and age, and when it was published
    select
        checkpoints.data_source,
        checkpoints.station_icao,
        checkpoints.climate_date,
        checkpoints.checkpoint_minute,
        checkpoints.checkpoint_at,
        running_extremes.latest_observed_at,
        min(observations.available_at) as available_at
    from checkpoints
    left join running_extremes
        on
            checkpoints.data_source = running_extremes.data_source
            and checkpoints.station_icao = running_extremes.station_icao
            and checkpoints.climate_date = running_extremes.climate_date
            and checkpoints.checkpoint_minute = running_extremes.checkpoint_minute
    left join observations
        on
            running_extremes.data_source = observations.data_source
            and running_extremes.station_icao = observations.station_icao
            and running_extremes.latest_observed_at = observations.observed_at
    group by all
)

select
    used_observations.data_source,
    used_observations.station_icao,
    used_observations.climate_date,
    used_observations.checkpoint_minute,
    used_observations.latest_observed_at,
    used_observations.available_at,
    (epoch(used_observations.checkpoint_at) - epoch(used_observations.available_at)) / 60.0
        as available_age_minutes
from used_observations
where
    used_observations.available_at is null
    or used_observations.available_at > used_observations.checkpoint_at
