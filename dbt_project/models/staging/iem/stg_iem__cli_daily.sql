with

cli_reports as (
    select * from {{ optional_source('iem', 'cli_reports') }}
),

finished_loads as (
    {{ finished_loads('iem') }}
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
