{{ config(materialized='table') }}

{#- Running max / min of the climate day at every 15-minute checkpoint of local standard time.
    As-of rule: an observation counts at checkpoint c iff available_at <= checkpoint_at(c).
    Each observation is assigned to the first checkpoint at which it is available, aggregated per
    (day, checkpoint), then carried forward with a running window: no correlated subqueries. -#}

with

climate_days as (
    select * from {{ ref('fct_climate_day') }}
),

observations as (
    select * from {{ ref('int_observations__climate_day') }}
),

stations as (
    select * from {{ ref('stations') }}
),

checkpoint_minutes as (
    select cast(generate_series as integer) as checkpoint_minute
    from generate_series(15, 1440, 15)
),

days as (
    select
        climate_days.data_source,
        climate_days.station_icao,
        climate_days.climate_date,
        timezone(
            'UTC',
            cast(climate_days.climate_date as timestamp)
            - to_hours(cast(stations.std_utc_offset_hours as integer))
        ) as day_start_at
    from climate_days
    inner join stations
        on climate_days.station_icao = stations.icao
),

checkpoints as (
    select
        days.data_source,
        days.station_icao,
        days.climate_date,
        checkpoint_minutes.checkpoint_minute,
        days.day_start_at,
        days.day_start_at + to_minutes(checkpoint_minutes.checkpoint_minute) as checkpoint_at
    from days
    cross join checkpoint_minutes
),

observations_bucketed as (
    -- first checkpoint at which the observation is available (ceil to the 15-minute grid;
    -- available exactly at a checkpoint counts at that checkpoint)
    select
        observations.data_source,
        observations.station_icao,
        observations.climate_date,
        observations.observed_at,
        observations.temp_f,
        observations.temp_f_whole,
        greatest(
            15,
            cast(
                ceil((epoch(observations.available_at) - epoch(days.day_start_at)) / 900.0)
                as integer
            ) * 15
        ) as first_checkpoint_minute
    from observations
    inner join days
        on
            observations.data_source = days.data_source
            and observations.station_icao = days.station_icao
            and observations.climate_date = days.climate_date
    -- a report type without a publication delay has no available_at: never counted, rather
    -- than counted from the first checkpoint (greatest() ignores a null)
    where observations.temp_f is not null and observations.available_at is not null
),

bucket_extremes as (
    select
        data_source,
        station_icao,
        climate_date,
        first_checkpoint_minute as checkpoint_minute,
        max(temp_f_whole) as bucket_max_f,
        min(temp_f_whole) as bucket_min_f,
        max(temp_f) as bucket_max_f_precise,
        min(temp_f) as bucket_min_f_precise,
        max(observed_at) as bucket_latest_observed_at,
        count(*) as bucket_observation_count
    from observations_bucketed
    -- available only after the climate day ends: never counts at any checkpoint of that day
    where first_checkpoint_minute <= 1440
    group by all
),

running as (
    select
        checkpoints.data_source,
        checkpoints.station_icao,
        checkpoints.climate_date,
        checkpoints.checkpoint_minute,
        checkpoints.day_start_at,
        checkpoints.checkpoint_at,
        max(bucket_extremes.bucket_max_f) over day_so_far as running_max_f,
        min(bucket_extremes.bucket_min_f) over day_so_far as running_min_f,
        max(bucket_extremes.bucket_max_f_precise) over day_so_far as running_max_f_precise,
        min(bucket_extremes.bucket_min_f_precise) over day_so_far as running_min_f_precise,
        max(bucket_extremes.bucket_latest_observed_at) over day_so_far as latest_observed_at,
        coalesce(
            sum(bucket_extremes.bucket_observation_count) over day_so_far, 0
        ) as available_observation_count
    from checkpoints
    left join bucket_extremes
        on
            checkpoints.data_source = bucket_extremes.data_source
            and checkpoints.station_icao = bucket_extremes.station_icao
            and checkpoints.climate_date = bucket_extremes.climate_date
            and checkpoints.checkpoint_minute = bucket_extremes.checkpoint_minute
    window day_so_far as (
        partition by checkpoints.data_source, checkpoints.station_icao, checkpoints.climate_date
        order by checkpoints.checkpoint_minute
        rows between unbounded preceding and current row
    )
),

final as (
    select
        data_source,
        station_icao,
        climate_date,
        checkpoint_minute,
        checkpoint_at,
        day_start_at,
        cast(running_max_f as integer) as running_max_f,
        cast(running_min_f as integer) as running_min_f,
        running_max_f_precise,
        running_min_f_precise,
        cast(available_observation_count as integer) as available_observation_count,
        latest_observed_at,
        (epoch(checkpoint_at) - epoch(latest_observed_at)) / 60.0 as observation_age_minutes
    from running
)

select * from final
