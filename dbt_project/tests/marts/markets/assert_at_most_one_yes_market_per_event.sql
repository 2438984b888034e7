-- A weather ladder is mutually exclusive: at most one market of an event settles YES.
with

outcomes as (
    select * from {{ ref('fct_market_outcomes') }}
),

yes_counts as (
    select
        outcomes.data_source,
        outcomes.event_ticker,
        count(*) as yes_market_count
    from outcomes
    where outcomes.kalshi_result = 'yes'
    group by outcomes.data_source, outcomes.event_ticker
)

select
    yes_counts.data_source,
    yes_counts.event_ticker,
    yes_counts.yes_market_count
from yes_counts
where yes_counts.yes_market_count > 1
