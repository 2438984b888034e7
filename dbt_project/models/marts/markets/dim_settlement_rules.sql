with

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

series as (
    select * from {{ ref('stg_kalshi__series') }}
),

snapshots as (
    select * from {{ ref('stg_kalshi__series_snapshots') }}
),

stations as (
    select * from {{ ref('stations') }}
),

station_series as (
    select * from {{ ref('int_station_series') }}
),

market_counts as (
    select
        markets.data_source,
        markets.series_ticker,
        min(markets.climate_date) as first_climate_date,
        max(markets.climate_date) as last_climate_date,
        count(*) as market_count
    from markets
    group by markets.data_source, markets.series_ticker
),

series_keys as (
    -- every weather series we have markets or series metadata for
    select
        market_counts.data_source,
        market_counts.series_ticker
    from market_counts
    union
    select
        series.data_source,
        series.series_ticker
    from series
    inner join station_series
        on series.series_ticker = station_series.series_ticker
),

market_series as (
    select
        series_keys.data_source,
        series_keys.series_ticker,
        station_series.station_icao,
        station_series.contract_type,
        market_counts.first_climate_date,
        market_counts.last_climate_date,
        coalesce(market_counts.market_count, 0) as market_count
    from series_keys
    inner join station_series
        on series_keys.series_ticker = station_series.series_ticker
    left join market_counts
        on
            series_keys.data_source = market_counts.data_source
            and series_keys.series_ticker = market_counts.series_ticker
),

rules_versions as (
    -- one row per distinct rules text per series, with when it was first in force
    select
        markets.data_source,
        markets.series_ticker,
        md5(markets.rules_primary) as rules_hash,
        any_value(markets.rules_primary) as rules_text,
        min(coalesce(markets.open_at, cast(markets.climate_date as timestamptz))) as first_seen_at,
        max(markets.climate_date) as last_climate_date
    from markets
    where markets.rules_primary is not null and markets.rules_primary <> ''
    group by markets.data_source, markets.series_ticker, md5(markets.rules_primary)
),

current_rules as (
    select
        rules_versions.data_source,
        rules_versions.series_ticker,
        rules_versions.rules_hash,
        rules_versions.rules_text,
        rules_versions.first_seen_at as rules_changed_at,
        count(*) over (
            partition by rules_versions.data_source, rules_versions.series_ticker
        ) as rules_version_count
    from rules_versions
    qualify
        row_number() over (
            partition by rules_versions.data_source, rules_versions.series_ticker
            -- the markets of one event tie on both; the hash makes the pick reproducible
            order by
                rules_versions.last_climate_date desc,
                rules_versions.first_seen_at desc,
                rules_versions.rules_hash asc
        ) = 1
),

content_history as (
    select
        snapshots.data_source,
        snapshots.series_ticker,
        count(*) as fee_content_version_count,
        max(snapshots.first_seen_at) as fee_content_changed_at
    from snapshots
    group by snapshots.data_source, snapshots.series_ticker
),

final as (
    select
        market_series.data_source,
        market_series.series_ticker,
        market_series.station_icao,
        market_series.contract_type,
        stations.cli_product,
        stations.iana_timezone,
        stations.std_utc_offset_hours,
        'between: YES iff floor <= value <= cap (whole °F, inclusive); '
        || 'greater: YES iff value > floor; less: YES iff value < cap' as strike_semantics,
        coalesce(series.fee_type, 'quadratic') as fee_type,
        coalesce(series.fee_multiplier, 1) as fee_multiplier,
        series.series_ticker is not null as has_series_metadata,
        {{ kalshi_fee(
            10, 0.50, "'taker'",
            "coalesce(series.fee_type, 'quadratic')", 'coalesce(series.fee_multiplier, 1)',
        ) }} as taker_fee_10_at_50c_dollars,
        {{ kalshi_fee(
            10, 0.50, "'maker'",
            "coalesce(series.fee_type, 'quadratic')", 'coalesce(series.fee_multiplier, 1)',
        ) }} as maker_fee_10_at_50c_dollars,
        current_rules.rules_hash,
        current_rules.rules_text as rules_primary,
        coalesce(current_rules.rules_version_count, 0) as rules_version_count,
        current_rules.rules_changed_at,
        series.content_hash as fee_content_hash,
        coalesce(content_history.fee_content_version_count, 0) as fee_content_version_count,
        content_history.fee_content_changed_at,
        greatest(current_rules.rules_changed_at, content_history.fee_content_changed_at)
            as last_changed_at,
        market_series.first_climate_date,
        market_series.last_climate_date,
        market_series.market_count
    from market_series
    left join stations
        on market_series.station_icao = stations.icao
    left join series
        on
            market_series.data_source = series.data_source
            and market_series.series_ticker = series.series_ticker
    left join current_rules
        on
            market_series.data_source = current_rules.data_source
            and market_series.series_ticker = current_rules.series_ticker
    left join content_history
        on
            market_series.data_source = content_history.data_source
            and market_series.series_ticker = content_history.series_ticker
)

select * from final
