with

cli_reports as (
    select * from {{ source('iem', 'cli_reports') }}
),

loads as (
    select * from {{ source('iem', '_dlt_loads') }}
),

finished_loads as (
    select loads.load_id
    from loads
    where loads.status = 0
),

renamed as (
    select
        cli_reports.data_source,
        cli_reports.station as station_icao,
        cli_reports.climate_date,
        cli_reports.product_id,
        cli_reports.published_at,
        cast(cli_reports.high_f as integer) as high_f,
        cast(cli_reports.low_f as integer) as low_f,
        cli_reports.high_time,
        cli_reports.low_time,
        cli_reports.source_location,
        cli_reports.ingest_channel
    from cli_reports
    inner join finished_loads
        on cli_reports._dlt_load_id = finished_loads.load_id
)

select * from renamed
