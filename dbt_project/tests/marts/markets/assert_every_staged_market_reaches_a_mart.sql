-- Every staged market reaches the marts: it has a registry station (int_markets_enriched, which
-- feeds every market mart), and a settled one is a row of fct_market_outcomes. A market of a
-- series the station registry lacks would otherwise load, stage and then vanish without a trace
-- (the loaders reject those; this catches any that get through, or a registry row removed later).
with

markets as (
    select * from {{ ref('stg_kalshi__markets') }}
),

enriched as (
    select * from {{ ref('int_markets_enriched') }}
),

outcomes as (
    select * from {{ ref('fct_market_outcomes') }}
),

uncovered as (
    select
        markets.data_source,
        markets.market_ticker,
        markets.series_ticker,
        markets.result,
        case
            when enriched.market_ticker is null
                then
                    'series ' || coalesce(markets.series_ticker, '(none)')
                    || ' is not in the station registry'
            else 'settled but missing from fct_market_outcomes'
        end as gap
    from markets
    left join enriched
        on
            markets.data_source = enriched.data_source
            and markets.market_ticker = enriched.market_ticker
    left join outcomes
        on
            markets.data_source = outcomes.data_source
            and markets.market_ticker = outcomes.market_ticker
    where
        enriched.market_ticker is null
        or (markets.result in ('yes', 'no') and outcomes.market_ticker is null)
)

select * from uncovered
