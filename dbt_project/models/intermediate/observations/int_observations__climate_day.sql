{{ config(
    materialized='incremental',
    unique_key=['data_source', 'station_icao', 'observed_at', 'report_type'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{%- set delays = var('obs_publication_delay_minutes') -%}

{#- Incremental: only the observations whose winning report came with a load newer than the
    newest placed here (stg_iem__observations re-inserts an observation a load touched; its
    loaded_at moves only when a newer report wins, and only then can a placed column change). -#}

with

staged_observations as (
    select * from {{ ref('stg_iem__observations') }}
),

observations as (
    select staged_observations.*
    from staged_observations
    {%- if is_incremental() %}
        where
            staged_observations.loaded_at
            > (select coalesce(max(built.loaded_at), '-infinity') from {{ this }} as built)
    {%- endif %}
),

stations as (
    select * from {{ ref('stations') }}
),

placed as (
    select
        observations.data_source,
        observations.station_icao,
        observations.observed_at,
        observations.report_type,
        -- the climate day is midnight to midnight local standard time, all year
        {{ climate_date('observations.observed_at', 'stations.std_utc_offset_hours') }}
            as climate_date,
        {{ local_standard_ts('observations.observed_at', 'stations.std_utc_offset_hours') }}
            as observed_at_local_standard,
        timezone(stations.iana_timezone, observations.observed_at) as observed_at_local_civil,
        observations.observed_at + to_minutes(
            case observations.report_type
                {%- for report_type, minutes in delays.items() %}
                    when {{ report_type }} then {{ minutes }}
                {%- endfor %}
            end
        ) as available_at,
        observations.temp_f,
        -- whole °F half up (round() on decimal rounds halves away from zero), from the exact
        -- tenths when present; whole-°C or tmpf values are only good to about 1 °F
        coalesce(
            cast(round(observations.temp_c_tenths * 1.8 + 32) as integer),
            cast(round(observations.temp_f) as integer)
        ) as temp_f_whole,
        observations.has_precise_temp,
        observations.max_6h_f,
        observations.min_6h_f,
        observations.max_24h_f,
        observations.min_24h_f,
        observations.loaded_at
    from observations
    inner join stations
        on observations.station_icao = stations.icao
)

select * from placed
