with

ws_tickers as (
    select * from {{ optional_source('kalshi_ws', 'ws_tickers') }}
),

finished_loads as (
    {{ finished_loads('kalshi') }}
),

final as (
    select
        ws_tickers.data_source,
        ws_tickers.market_ticker,
        ws_tickers.received_at,
        ws_tickers.exchange_at,
        ws_tickers.connection_id,
        cast(ws_tickers.price_dollars as decimal(18, 4)) as last_price_dollars,
        {{ executable_bid('cast(ws_tickers.yes_bid_dollars as decimal(18, 4))') }}
            as yes_bid_dollars,
        {{ executable_ask('cast(ws_tickers.yes_ask_dollars as decimal(18, 4))') }}
            as yes_ask_dollars,
        cast(ws_tickers.volume_fp as decimal(18, 2)) as volume,
        cast(ws_tickers.open_interest_fp as decimal(18, 2)) as open_interest,
        cast(ws_tickers.dollar_volume as decimal(18, 2)) / 100 as dollar_volume,
        cast(ws_tickers.dollar_open_interest as decimal(18, 2)) / 100 as dollar_open_interest,
        ws_tickers.source_file,
        ws_tickers.source_line
    from ws_tickers
    inner join finished_loads
        on ws_tickers._dlt_load_id = finished_loads.load_id
)

select * from final
