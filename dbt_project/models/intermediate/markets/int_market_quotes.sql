{{ config(materialized='table') }}

{#- a table: int_gate_market_checkpoints, fct_market_calibration and eight tests read it;
    as a view each re-ran the candle dedup and the book union. -#}

with

candles as (
    select * from {{ ref('stg_kalshi__candles') }}
),

orderbook as (
    select * from {{ ref('stg_kalshi__orderbook_snapshots') }}
),

recorded_books as (
    select * from {{ ref('int_book_minutes') }}
),

candle_quotes as (
    select
        candles.data_source,
        candles.market_ticker,
        candles.period_end_at as quoted_at,
        case candles.period_minutes
            when 1 then 'candle_1m'
            when 60 then 'candle_60m'
            else 'candle_other'
        end as quote_source,
        candles.period_minutes,
        candles.yes_bid_close_dollars as yes_bid_dollars,
        candles.yes_ask_close_dollars as yes_ask_dollars
    from candles
    -- trade-only candles (price OHLC without bid/ask) are not quotes
    where candles.has_quote_data
    qualify
        row_number() over (
            partition by
                candles.data_source,
                candles.market_ticker,
                candles.period_end_at,
                quote_source
            order by candles.period_minutes
        ) = 1
),

book_best as (
    -- best bid of each side per snapshot; a price of 0 marks an empty side
    select
        orderbook.data_source,
        orderbook.market_ticker,
        orderbook.snapshot_at,
        max(orderbook.price_dollars) filter (
            where orderbook.book_side = 'yes' and not orderbook.is_empty_side
        ) as best_yes_bid_dollars,
        max(orderbook.price_dollars) filter (
            where orderbook.book_side = 'no' and not orderbook.is_empty_side
        ) as best_no_bid_dollars
    from orderbook
    group by
        orderbook.data_source,
        orderbook.market_ticker,
        orderbook.snapshot_at
),

book_quotes as (
    -- best YES ask = 1 - best NO bid; the no-quote rule as staging applies it to candles
    select
        book_best.data_source,
        book_best.market_ticker,
        book_best.snapshot_at as quoted_at,
        'orderbook' as quote_source,
        cast(null as integer) as period_minutes,
        {{ executable_bid('book_best.best_yes_bid_dollars') }} as yes_bid_dollars,
        {{ executable_ask('1 - book_best.best_no_bid_dollars') }} as yes_ask_dollars
    from book_best
),

recorded_quotes as (
    -- WebSocket recordings replayed to each minute (gap windows are not in int_book_minutes)
    select
        recorded_books.data_source,
        recorded_books.market_ticker,
        recorded_books.minute_at as quoted_at,
        'orderbook' as quote_source,
        cast(null as integer) as period_minutes,
        {{ executable_bid('recorded_books.best_yes_bid_dollars') }} as yes_bid_dollars,
        {{ executable_ask('1 - recorded_books.best_no_bid_dollars') }} as yes_ask_dollars
    from recorded_books
),

all_book_quotes as (
    -- a REST snapshot at the very instant of a recorded minute gives way to the recording
    select
        book_quotes.data_source,
        book_quotes.market_ticker,
        book_quotes.quoted_at,
        book_quotes.quote_source,
        book_quotes.period_minutes,
        book_quotes.yes_bid_dollars,
        book_quotes.yes_ask_dollars
    from book_quotes
    anti join recorded_quotes
        on
            book_quotes.data_source = recorded_quotes.data_source
            and book_quotes.market_ticker = recorded_quotes.market_ticker
            and book_quotes.quoted_at = recorded_quotes.quoted_at
    union all
    select
        recorded_quotes.data_source,
        recorded_quotes.market_ticker,
        recorded_quotes.quoted_at,
        recorded_quotes.quote_source,
        recorded_quotes.period_minutes,
        recorded_quotes.yes_bid_dollars,
        recorded_quotes.yes_ask_dollars
    from recorded_quotes
),

unioned as (
    select
        candle_quotes.data_source,
        candle_quotes.market_ticker,
        candle_quotes.quoted_at,
        candle_quotes.quote_source,
        candle_quotes.period_minutes,
        candle_quotes.yes_bid_dollars,
        candle_quotes.yes_ask_dollars
    from candle_quotes
    union all
    select
        all_book_quotes.data_source,
        all_book_quotes.market_ticker,
        all_book_quotes.quoted_at,
        all_book_quotes.quote_source,
        all_book_quotes.period_minutes,
        all_book_quotes.yes_bid_dollars,
        all_book_quotes.yes_ask_dollars
    from all_book_quotes
),

final as (
    select
        unioned.data_source,
        unioned.market_ticker,
        unioned.quoted_at,
        unioned.quote_source,
        unioned.period_minutes,
        cast(unioned.yes_bid_dollars as decimal(18, 4)) as yes_bid_dollars,
        cast(unioned.yes_ask_dollars as decimal(18, 4)) as yes_ask_dollars
    from unioned
)

select * from final
