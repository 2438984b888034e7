with

observations as (
    select * from {{ optional_source('visual_crossing', 'observations') }}
),

finished_loads as (
    {{ finished_loads('visual_crossing') }}
),

renamed as (
    select
        observations.data_source,
        observations.station as station_icao,
        observations.epoch as observed_epoch,
        observations.observed_at,
        observations.temp_f,
        observations.dew_f,
        observations.vc_stations,
        observations.vc_source,
        observations.source_location,
        observations.ingest_channel,
        observations.fetched_at
    from observations
    inner join finished_loads
        on observations._dlt_load_id = finished_loads.load_id
)

select * from renamed
