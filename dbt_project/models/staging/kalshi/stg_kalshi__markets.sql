with

markets as (
    select * from {{ optional_source('kalshi', 'markets') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

typed as (
    select
        markets.data_source,
        markets.market_ticker,
        markets.event_ticker,
        markets.series_ticker,
        {{ ticker_climate_date('markets.market_ticker') }} as climate_date,
        lower(markets.strike_type) as strike_type,
        try_cast(markets.floor_strike as decimal(18, 4)) as floor_strike,
        try_cast(markets.cap_strike as decimal(18, 4)) as cap_strike,
        markets.status,
        case when markets.result in ('yes', 'no') then markets.result end as result,
        nullif(markets.result, '') as result_raw,
        markets.market_tier,
        markets.title,
        markets.yes_sub_title,
        cast(markets.yes_bid_dollars as decimal(18, 4)) as yes_bid_dollars,
        cast(markets.yes_ask_dollars as decimal(18, 4)) as yes_ask_dollars,
        cast(markets.last_price_dollars as decimal(18, 4)) as last_price_dollars,
        cast(markets.settlement_value_dollars as decimal(18, 4)) as settlement_value_dollars,
        cast(markets.volume_fp as decimal(18, 2)) as volume,
        cast(markets.open_interest_fp as decimal(18, 2)) as open_interest,
        markets.expiration_value,
        markets.rules_primary,
        markets.rules_secondary,
        markets.open_time as open_at,
        markets.close_time as close_at,
        markets.settlement_ts as settled_at,
        markets.updated_time as updated_at,
        markets.ingest_channel,
        markets.source_location,
        regexp_matches(
            markets.market_ticker, '^[A-Z]+-[0-9]{2}[A-Z]{3}[0-9]{2}-[BT]-?[0-9]+(\.[0-9]+)?$'
        ) as is_weather_ticker
    from markets
    inner join finished_loads
        on markets._dlt_load_id = finished_loads.load_id
),

final as (
    select
        typed.* exclude (is_weather_ticker),  -- noqa: RF03
        {{ bracket_lower('typed.strike_type', 'typed.floor_strike', 'typed.cap_strike') }}
            as bracket_lower,
        {{ bracket_upper('typed.strike_type', 'typed.floor_strike', 'typed.cap_strike') }}
            as bracket_upper,
        case
            when not typed.is_weather_ticker
                then 'malformed weather ticker (expected <SERIES>-<YY><MON><DD>-B<x.5>|T<n>)'
            when typed.climate_date is null then 'bad date in ticker'
            when split_part(typed.market_ticker, '-', 1) <> typed.series_ticker
                then 'ticker series differs from series_ticker ' || typed.series_ticker
        end as ticker_error,
        {{ bracket_error('typed.strike_type', 'typed.floor_strike', 'typed.cap_strike') }}
            as bracket_error
    from typed
)

-- final takes typed.* (its columns are listed in _kalshi__models.yml)
select * from final  -- noqa: AM04
