{{ config(materialized='table') }}

{#- What the book looks like when we would trade: per data source, book source, station,
    contract (HIGH/LOW) and hour of the local-standard-time climate day, over the minutes of
    each market's own climate day at which its book is known:
      ws_recording     WebSocket recordings replayed to each minute (int_book_minutes; gap
                       windows and dead connections are not there), sizes known;
      top_of_book_log  the files channel's top-of-book logs (best bids only, sizes unknown):
                       the last line at or before the minute, while the log of that event was
                       alive (a line within var book_log_max_silence_minutes).
    The running-bracket columns use the 15-minute checkpoint at or before the minute
    (int_gate_contract_checkpoints) and the station's accuracy (dim_station_thresholds). -#}

{%- set max_silence = var('book_log_max_silence_minutes') -%}

with

recorded as (
    select * from {{ ref('int_book_minutes') }}
),

snapshots as (
    select * from {{ ref('stg_kalshi__orderbook_snapshots') }}
),

station_series as (
    select * from {{ ref('int_station_series') }}
),

stations as (
    select * from {{ ref('stations') }}
),

checkpoints as (
    select * from {{ ref('int_gate_contract_checkpoints') }}
),

thresholds as (
    select * from {{ ref('dim_station_thresholds') }}
),

log_lines as (
    -- one row per logged instant: the best bid of each side (a price of 0 = empty side)
    select
        data_source,
        market_ticker,
        snapshot_at,
        split_part(market_ticker, '-', 1) || '-' || split_part(market_ticker, '-', 2)
            as event_ticker,
        max(price_dollars) filter (where book_side = 'yes' and not is_empty_side)
            as best_yes_bid_dollars,
        max(price_dollars) filter (where book_side = 'no' and not is_empty_side)
            as best_no_bid_dollars
    from snapshots
    where ingest_channel = 'files'
    group by data_source, market_ticker, snapshot_at
),

log_events as (
    select distinct
        data_source,
        event_ticker,
        snapshot_at
    from log_lines
),

log_spans as (
    select
        data_source,
        market_ticker,
        event_ticker,
        min(snapshot_at) as first_at,
        max(snapshot_at) as last_at
    from log_lines
    group by data_source, market_ticker, event_ticker
),

log_grid as (
    select
        data_source,
        market_ticker,
        event_ticker,
        unnest(
            generate_series(
                date_trunc('minute', first_at) + interval 1 minute,
                date_trunc('minute', last_at),
                interval 1 minute
            )
        ) as minute_at
    from log_spans
),

log_state as (
    select
        log_grid.data_source,
        log_grid.market_ticker,
        log_grid.event_ticker,
        log_grid.minute_at,
        log_lines.best_yes_bid_dollars,
        log_lines.best_no_bid_dollars
    from log_grid
    asof inner join log_lines
        on
            log_grid.data_source = log_lines.data_source
            and log_grid.market_ticker = log_lines.market_ticker
            and log_grid.minute_at >= log_lines.snapshot_at
),

log_minutes as (
    -- the log was alive: some market of the event logged a line shortly before
    select
        log_state.data_source,
        'top_of_book_log' as book_source,
        log_state.market_ticker,
        log_state.minute_at,
        log_state.best_yes_bid_dollars,
        log_state.best_no_bid_dollars,
        cast(null as decimal(18, 2)) as best_no_bid_size
    from log_state
    asof inner join log_events
        on
            log_state.data_source = log_events.data_source
            and log_state.event_ticker = log_events.event_ticker
            and log_state.minute_at >= log_events.snapshot_at
    where
        epoch(log_state.minute_at) - epoch(log_events.snapshot_at) <= {{ max_silence }} * 60
),

book_minutes as (
    select
        data_source,
        'ws_recording' as book_source,
        market_ticker,
        minute_at,
        best_yes_bid_dollars,
        best_no_bid_dollars,
        best_no_bid_size
    from recorded
    union all
    select
        data_source,
        book_source,
        market_ticker,
        minute_at,
        best_yes_bid_dollars,
        best_no_bid_dollars,
        best_no_bid_size
    from log_minutes
),

quoted as (
    select
        book_minutes.data_source,
        book_minutes.book_source,
        book_minutes.market_ticker,
        book_minutes.minute_at,
        station_series.station_icao,
        station_series.contract_type,
        {{ ticker_climate_date('book_minutes.market_ticker') }} as climate_date,
        {{ climate_date('book_minutes.minute_at', 'stations.std_utc_offset_hours') }}
            as minute_climate_date,
        cast(
            extract(
                hour from {{ local_standard_ts(
                    'book_minutes.minute_at', 'stations.std_utc_offset_hours'
                ) }}
            ) as integer
        ) as lst_hour,
        {{ executable_bid('book_minutes.best_yes_bid_dollars') }} as yes_bid_dollars,
        {{ executable_ask('1 - book_minutes.best_no_bid_dollars') }} as yes_ask_dollars,
        book_minutes.best_no_bid_size as yes_ask_size
    from book_minutes
    inner join station_series
        on split_part(book_minutes.market_ticker, '-', 1) = station_series.series_ticker
    inner join stations
        on station_series.station_icao = stations.icao
),

on_the_day as (
    select
        quoted.data_source,
        quoted.book_source,
        quoted.market_ticker,
        quoted.minute_at,
        quoted.station_icao,
        quoted.contract_type,
        quoted.climate_date,
        quoted.lst_hour,
        quoted.yes_bid_dollars,
        quoted.yes_ask_dollars,
        quoted.yes_ask_size
    from quoted
    where quoted.minute_climate_date = quoted.climate_date
),

with_bracket as (
    select
        on_the_day.*,
        checkpoints.running_bracket_market_ticker = on_the_day.market_ticker
            as is_running_bracket
    from on_the_day
    asof left join checkpoints
        on
            on_the_day.data_source = checkpoints.data_source
            and on_the_day.station_icao = checkpoints.station_icao
            and on_the_day.contract_type = checkpoints.contract_type
            and on_the_day.climate_date = checkpoints.climate_date
            and on_the_day.minute_at >= checkpoints.checkpoint_at
),

judged as (
    select
        with_bracket.*,
        thresholds.accuracy,
        with_bracket.yes_bid_dollars is not null
        and with_bracket.yes_ask_dollars is not null as is_two_sided,
        with_bracket.yes_ask_dollars - with_bracket.yes_bid_dollars as spread_dollars
    from with_bracket
    left join thresholds
        on
            with_bracket.data_source = thresholds.data_source
            and with_bracket.station_icao = thresholds.station_icao
            and with_bracket.contract_type = thresholds.contract_type
),

final as (
    select
        data_source,
        book_source,
        station_icao,
        contract_type,
        lst_hour,
        count(*) as minutes_observed,
        count(distinct market_ticker) as market_count,
        count(distinct climate_date) as climate_day_count,
        avg(case when is_two_sided then 1.0 else 0.0 end) as two_sided_share,
        cast(median(spread_dollars) as decimal(18, 4)) as median_spread_dollars,
        cast(quantile_cont(spread_dollars, 0.9) as decimal(18, 4)) as p90_spread_dollars,
        cast(median(yes_ask_size) filter (where yes_ask_dollars is not null) as decimal(18, 2))
            as median_ask_depth,
        count(*) filter (where is_running_bracket) as running_bracket_minutes,
        avg(
            case
                when coalesce(yes_ask_dollars < accuracy, false) then 1.0 else 0.0
            end
        ) filter (where is_running_bracket and accuracy is not null)
            as running_bracket_ask_below_accuracy_share
    from judged
    group by data_source, book_source, station_icao, contract_type, lst_hour
)

select * from final
