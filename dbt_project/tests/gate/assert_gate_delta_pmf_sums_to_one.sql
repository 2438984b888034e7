-- Every smoothed delta pmf that exists sums to 1 and ends its CDF at 1.
with

delta_pmf as (
    select * from {{ ref('int_extreme_delta_pmf') }}
),

sums as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        fit_period,
        sum(smoothed_probability) as total_probability,
        max(cumulative_probability) as last_cumulative_probability
    from delta_pmf
    where smoothed_probability is not null
    group by all
)

select
    data_source,
    station_icao,
    contract_type,
    checkpoint_minute,
    season,
    fit_period,
    total_probability,
    last_cumulative_probability
from sums
where
    abs(total_probability - 1) > 1e-9
    or abs(last_cumulative_probability - 1) > 1e-9
