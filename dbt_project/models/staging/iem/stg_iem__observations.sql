{{ config(
    materialized='incremental',
    unique_key=['data_source', 'station_icao', 'observed_at', 'report_type'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{#- Incremental: a build after a load recomputes only the observations (station, minute, report
    type) that a load finished since the last build touched, over all their revisions, so the
    winner and revision_count are those of a full refresh. A load counts from the time dlt
    recorded it finished (loaded_at), which only grows. -#}

with

raw_observations as (
    select * from {{ optional_source('iem', 'asos_observations') }}
),

finished_loads as (
    {{ finished_loads('iem') }}
),
{%- if is_incremental() %}

new_loads as (
    select finished_loads.load_id
    from finished_loads
    where
        finished_loads.loaded_at
        > (select coalesce(max(built.loaded_at), '-infinity') from {{ this }} as built)
),

touched as (
    select distinct
        raw_observations.data_source,
        raw_observations.station,
        raw_observations.valid_at,
        raw_observations.report_type
    from raw_observations
    inner join new_loads
        on raw_observations._dlt_load_id = new_loads.load_id
),
{%- endif %}

observations as (
    select raw_observations.*
    from raw_observations
    {%- if is_incremental() %}
        semi join touched
            on
                raw_observations.data_source = touched.data_source
                and raw_observations.station = touched.station
                and raw_observations.valid_at = touched.valid_at
                and raw_observations.report_type = touched.report_type
    {%- endif %}
),

renamed as (
    select
        observations.data_source,
        observations.station as station_icao,
        observations.valid_at as observed_at,
        cast(observations.report_type as integer) as report_type,
        case observations.report_type
            when 1 then 'hf_5min'
            when 3 then 'routine'
            when 4 then 'special'
        end as report_type_name,
        -- tenths of °C map back to the right whole °F; IEM tmpf is the fallback, and the
        -- whole-°C body (±1 °F) the last resort, e.g. 5-minute reports with tmpf blanked
        coalesce(
            cast(observations.temp_c_tenths as double) * 9.0 / 5.0 + 32.0,
            observations.temp_f_reported,
            observations.temp_c_whole * 9.0 / 5.0 + 32.0
        ) as temp_f,
        observations.temp_f_reported,
        observations.temp_c_tenths,
        observations.temp_c_whole,
        observations.temp_c_tenths is not null as has_precise_temp,
        coalesce(
            cast(observations.dewpoint_c_tenths as double) * 9.0 / 5.0 + 32.0,
            observations.dewpoint_f_reported
        ) as dewpoint_f,
        cast(observations.max_6h_c as double) * 9.0 / 5.0 + 32.0 as max_6h_f,
        cast(observations.min_6h_c as double) * 9.0 / 5.0 + 32.0 as min_6h_f,
        cast(observations.max_24h_c as double) * 9.0 / 5.0 + 32.0 as max_24h_f,
        cast(observations.min_24h_c as double) * 9.0 / 5.0 + 32.0 as min_24h_f,
        observations.metar,
        observations.revision_id,
        observations.is_correction,
        count(*) over (
            partition by
                observations.data_source,
                observations.station,
                observations.valid_at,
                observations.report_type
        ) as revision_count,
        observations.source_location,
        observations.ingest_channel,
        finished_loads.loaded_at
    from observations
    inner join finished_loads
        on observations._dlt_load_id = finished_loads.load_id
    -- the latest revision of a station-minute-type wins: a COR over an uncorrected report,
    -- then the later load (dlt load ids are unix times), then the later line of its document
    qualify row_number() over (
        partition by
            observations.data_source,
            observations.station,
            observations.valid_at,
            observations.report_type
        order by
            observations.is_correction desc,
            cast(observations._dlt_load_id as double) desc,
            observations.revision desc,
            observations.revision_id desc
    ) = 1
)

select * from renamed
