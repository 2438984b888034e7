with

series as (
    select * from {{ optional_source('kalshi', 'series') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        series.data_source,
        series.series_ticker,
        series.title,
        series.category,
        series.frequency,
        series.fee_type,
        cast(series.fee_multiplier as decimal(18, 4)) as fee_multiplier,
        series.settlement_sources,
        series.contract_terms_url,
        series.content_hash,
        series.fetched_at,
        series.ingest_channel
    from series
    inner join finished_loads
        on series._dlt_load_id = finished_loads.load_id
)

select * from final
