with

forecasts as (
    select * from {{ optional_source('visual_crossing', 'forecasts') }}
),

finished_loads as (
    {{ finished_loads('visual_crossing') }}
),

renamed as (
    select
        forecasts.data_source,
        forecasts.station as station_icao,
        forecasts.forecast_basis,
        forecasts.granularity,
        forecasts.target_epoch,
        forecasts.target_at,
        forecasts.target_local_date,
        forecasts.basis_date,
        cast(forecasts.lead_days as integer) as lead_days,
        forecasts.temp_f,
        forecasts.temp_max_f,
        forecasts.temp_min_f,
        forecasts.vc_source,
        forecasts.source_location,
        forecasts.ingest_channel,
        forecasts.published_at,
        forecasts.fetched_at
    from forecasts
    inner join finished_loads
        on forecasts._dlt_load_id = finished_loads.load_id
)

select * from renamed
