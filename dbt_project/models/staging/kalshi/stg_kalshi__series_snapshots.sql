with

series_snapshots as (
    select * from {{ optional_source('kalshi', 'series_snapshots') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        series_snapshots.data_source,
        series_snapshots.series_ticker,
        series_snapshots.content_hash,
        series_snapshots.fee_type,
        cast(series_snapshots.fee_multiplier as decimal(18, 4)) as fee_multiplier,
        series_snapshots.settlement_sources,
        series_snapshots.contract_terms_url,
        series_snapshots.first_seen_at,
        series_snapshots.ingest_channel
    from series_snapshots
    inner join finished_loads
        on series_snapshots._dlt_load_id = finished_loads.load_id
)

select * from final
