with

cf6_reports as (
    select * from {{ optional_source('iem', 'cf6_reports') }}
),

finished_loads as (
    {{ finished_loads('iem') }}
),

renamed as (
    select
        cf6_reports.data_source,
        cf6_reports.station as station_icao,
        cf6_reports.climate_date,
        cf6_reports.product_id,
        cf6_reports.published_at,
        cast(cf6_reports.high_f as integer) as high_f,
        cast(cf6_reports.low_f as integer) as low_f,
        cf6_reports.avg_temp_f,
        cf6_reports.source_location,
        cf6_reports.ingest_channel
    from cf6_reports
    inner join finished_loads
        on cf6_reports._dlt_load_id = finished_loads.load_id
)

select * from renamed
