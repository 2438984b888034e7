with

markets as (
    select * from {{ ref('stg_kalshi__markets') }}
),

series as (
    select * from {{ ref('stg_kalshi__series') }}
),

station_series as (
    select * from {{ ref('int_station_series') }}
),

final as (
    select
        markets.data_source,
        markets.market_ticker,
        markets.event_ticker,
        markets.series_ticker,
        station_series.station_icao,
        station_series.contract_type,
        markets.climate_date,
        markets.strike_type,
        markets.floor_strike,
        markets.cap_strike,
        markets.bracket_lower,
        markets.bracket_upper,
        markets.status,
        markets.result,
        markets.open_at,
        markets.close_at,
        markets.settled_at,
        markets.market_tier,
        markets.rules_primary,
        markets.ticker_error,
        markets.bracket_error,
        -- series without a loaded fee schedule (CSV imports, legacy series) get Kalshi's
        -- standard quadratic taker fee; fee_source says which applied
        coalesce(series.fee_type, 'quadratic') as fee_type,
        coalesce(series.fee_multiplier, 1) as fee_multiplier,
        case when series.series_ticker is null then 'default' else 'series' end as fee_source,
        markets.volume,
        markets.open_interest
    from markets
    inner join station_series
        on markets.series_ticker = station_series.series_ticker
    left join series
        on
            markets.data_source = series.data_source
            and markets.series_ticker = series.series_ticker
)

select * from final
