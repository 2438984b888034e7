{{ config(materialized='table') }}

{#- a table: thirty-odd tests and int_market_quotes read it; as a view each re-cast
    every raw candle. -#}

with

candlesticks as (
    select * from {{ optional_source('kalshi', 'candlesticks') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

typed as (
    select
        candlesticks.data_source,
        candlesticks.market_ticker,
        candlesticks.series_ticker,
        cast(candlesticks.period_minutes as integer) as period_minutes,
        candlesticks.end_period_ts as period_end_at,
        candlesticks.candle_tier,
        cast(candlesticks.yes_bid_open_dollars as decimal(18, 4)) as yes_bid_open,
        cast(candlesticks.yes_bid_high_dollars as decimal(18, 4)) as yes_bid_high,
        cast(candlesticks.yes_bid_low_dollars as decimal(18, 4)) as yes_bid_low,
        cast(candlesticks.yes_bid_close_dollars as decimal(18, 4)) as yes_bid_close,
        cast(candlesticks.yes_ask_open_dollars as decimal(18, 4)) as yes_ask_open,
        cast(candlesticks.yes_ask_high_dollars as decimal(18, 4)) as yes_ask_high,
        cast(candlesticks.yes_ask_low_dollars as decimal(18, 4)) as yes_ask_low,
        cast(candlesticks.yes_ask_close_dollars as decimal(18, 4)) as yes_ask_close,
        cast(candlesticks.price_open_dollars as decimal(18, 4)) as price_open_dollars,
        cast(candlesticks.price_high_dollars as decimal(18, 4)) as price_high_dollars,
        cast(candlesticks.price_low_dollars as decimal(18, 4)) as price_low_dollars,
        cast(candlesticks.price_close_dollars as decimal(18, 4)) as price_close_dollars,
        cast(candlesticks.price_mean_dollars as decimal(18, 4)) as price_mean_dollars,
        cast(candlesticks.price_previous_dollars as decimal(18, 4)) as price_previous_dollars,
        cast(candlesticks.volume_fp as decimal(18, 2)) as volume,
        cast(candlesticks.open_interest_fp as decimal(18, 2)) as open_interest,
        cast(candlesticks.trade_count as integer) as trade_count,
        candlesticks.ingest_channel
    from candlesticks
    inner join finished_loads
        on candlesticks._dlt_load_id = finished_loads.load_id
),

final as (
    select
        typed.data_source,
        typed.market_ticker,
        typed.series_ticker,
        typed.period_minutes,
        typed.period_end_at,
        typed.period_end_at - to_minutes(typed.period_minutes) as period_start_at,
        -- an empty book reads bid 0 / ask 1: that is "no quote", not a price (quotes.sql)
        {{ executable_bid('typed.yes_bid_close') }} as yes_bid_close_dollars,
        {{ executable_ask('typed.yes_ask_close') }} as yes_ask_close_dollars,
        {{ executable_bid('typed.yes_bid_open') }} as yes_bid_open_dollars,
        {{ executable_bid('typed.yes_bid_high') }} as yes_bid_high_dollars,
        {{ executable_bid('typed.yes_bid_low') }} as yes_bid_low_dollars,
        {{ executable_ask('typed.yes_ask_open') }} as yes_ask_open_dollars,
        {{ executable_ask('typed.yes_ask_high') }} as yes_ask_high_dollars,
        {{ executable_ask('typed.yes_ask_low') }} as yes_ask_low_dollars,
        typed.price_open_dollars,
        typed.price_high_dollars,
        typed.price_low_dollars,
        typed.price_close_dollars,
        typed.price_mean_dollars,
        typed.price_previous_dollars,
        typed.volume,
        typed.open_interest,
        typed.trade_count,
        (typed.yes_bid_close is not null or typed.yes_ask_close is not null) as has_quote_data,
        typed.candle_tier,
        typed.ingest_channel
    from typed
)

select * from final
