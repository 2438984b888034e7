{#- Parity of the vectorised SQL search and the decision engine: for the chosen candidate of
    every station x contract, the test-period trades picked in int_thresholds_candidate_trades
    are exactly the orders the engine wanted in fct_backtest_trades (executed, or blocked by a
    risk limit: the one documented difference is that only the engine applies the risk limits,
    and it keeps the blocked order's day, checkpoint, ticker, price and size).
    Returns every (station, contract, day) on which the two disagree. -#}

with

candidate_trades as (
    select * from {{ ref('int_thresholds_candidate_trades') }}
),

thresholds as (
    select * from {{ ref('dim_station_thresholds') }}
),

backtest_trades as (
    select * from {{ ref('fct_backtest_trades') }}
),

sql_picks as (
    select
        candidate_trades.data_source,
        candidate_trades.station_icao,
        candidate_trades.contract_type,
        candidate_trades.climate_date,
        candidate_trades.checkpoint_minute,
        candidate_trades.market_ticker,
        candidate_trades.yes_ask_dollars,
        candidate_trades.contract_count
    from candidate_trades
    inner join thresholds
        on
            candidate_trades.data_source = thresholds.data_source
            and candidate_trades.station_icao = thresholds.station_icao
            and candidate_trades.contract_type = thresholds.contract_type
            and candidate_trades.rule = thresholds.rule
            and candidate_trades.window_start_minute = thresholds.window_start_minute
            and candidate_trades.buffer_f = thresholds.buffer_f
            and candidate_trades.min_edge = thresholds.min_edge
    where candidate_trades.sample_period = 'test'
),

engine_picks as (
    select
        backtest_trades.data_source,
        backtest_trades.station_icao,
        backtest_trades.contract_type,
        backtest_trades.climate_date,
        backtest_trades.checkpoint_minute,
        backtest_trades.market_ticker,
        backtest_trades.yes_ask_dollars,
        backtest_trades.contract_count
    from backtest_trades
),

compared as (
    select
        coalesce(sql_picks.data_source, engine_picks.data_source) as data_source,
        coalesce(sql_picks.station_icao, engine_picks.station_icao) as station_icao,
        coalesce(sql_picks.contract_type, engine_picks.contract_type) as contract_type,
        coalesce(sql_picks.climate_date, engine_picks.climate_date) as climate_date,
        sql_picks.checkpoint_minute as sql_checkpoint_minute,
        engine_picks.checkpoint_minute as engine_checkpoint_minute,
        sql_picks.market_ticker as sql_market_ticker,
        engine_picks.market_ticker as engine_market_ticker,
        sql_picks.yes_ask_dollars as sql_yes_ask_dollars,
        engine_picks.yes_ask_dollars as engine_yes_ask_dollars,
        sql_picks.contract_count as sql_contract_count,
        engine_picks.contract_count as engine_contract_count
    from sql_picks
    full outer join engine_picks
        on
            sql_picks.data_source = engine_picks.data_source
            and sql_picks.station_icao = engine_picks.station_icao
            and sql_picks.contract_type = engine_picks.contract_type
            and sql_picks.climate_date = engine_picks.climate_date
)

select *
from compared
where
    sql_market_ticker is distinct from engine_market_ticker
    or sql_checkpoint_minute is distinct from engine_checkpoint_minute
    or sql_yes_ask_dollars is distinct from engine_yes_ask_dollars
    or sql_contract_count is distinct from engine_contract_count
