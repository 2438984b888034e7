with

markets as (
    select * from {{ source('kalshi', 'markets') }}
),

loads as (
    select * from {{ source('kalshi', '_dlt_loads') }}
),

finished_loads as (
    select loads.load_id
    from loads
    where loads.status = 0
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
        markets.result as result_raw,
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

bracketed as (
    select
        typed.*,
        {{ bracket_lower('typed.strike_type', 'typed.floor_strike') }} as bracket_lower,
        {{ bracket_upper('typed.strike_type', 'typed.cap_strike') }} as bracket_upper
    from typed
),

final as (
    select
        bracketed.data_source,
        bracketed.market_ticker,
        bracketed.event_ticker,
        bracketed.series_ticker,
        bracketed.climate_date,
        bracketed.strike_type,
        bracketed.floor_strike,
        bracketed.cap_strike,
        bracketed.bracket_lower,
        bracketed.bracket_upper,
        bracketed.status,
        case when bracketed.result_raw in ('yes', 'no') then bracketed.result_raw end as result,
        nullif(bracketed.result_raw, '') as result_raw,
        bracketed.open_at,
        bracketed.close_at,
        bracketed.settled_at,
        bracketed.updated_at,
        bracketed.market_tier,
        bracketed.title,
        bracketed.yes_sub_title,
        bracketed.yes_bid_dollars,
        bracketed.yes_ask_dollars,
        bracketed.last_price_dollars,
        bracketed.settlement_value_dollars,
        bracketed.volume,
        bracketed.open_interest,
        bracketed.expiration_value,
        bracketed.rules_primary,
        bracketed.rules_secondary,
        case
            when not bracketed.is_weather_ticker
                then 'malformed weather ticker (expected <SERIES>-<YY><MON><DD>-B<x.5>|T<n>)'
            when bracketed.climate_date is null then 'bad date in ticker'
            when split_part(bracketed.market_ticker, '-', 1) <> bracketed.series_ticker
                then 'ticker series differs from series_ticker ' || bracketed.series_ticker
        end as ticker_error,
        case
            when
                bracketed.strike_type is null
                or bracketed.strike_type
                not in ('between', 'greater', 'less', 'greater_or_equal', 'less_or_equal')
                then 'unsupported strike_type ' || coalesce(bracketed.strike_type, 'null')
            when
                bracketed.strike_type in ('between', 'greater', 'greater_or_equal')
                and bracketed.floor_strike is null
                then 'floor strike missing'
            when
                bracketed.strike_type in ('between', 'less', 'less_or_equal')
                and bracketed.cap_strike is null
                then 'cap strike missing'
            when bracketed.bracket_lower > bracketed.bracket_upper then 'empty between bracket'
        end as bracket_error,
        bracketed.ingest_channel,
        bracketed.source_location
    from bracketed
)

select * from final
