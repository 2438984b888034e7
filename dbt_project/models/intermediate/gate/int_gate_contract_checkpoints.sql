{{ config(materialized='table') }}

{#- One row per station x contract x climate date x checkpoint: the running extreme of the
    contract (running max for HIGH, running min for LOW) as of the checkpoint, its distance to
    the final CLI value, and the Kalshi bracket of that day's ladder containing it. -#}

with

running_extremes as (
    select * from {{ ref('int_running_extremes') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
),

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

ladder_markets as (
    -- valid ladder markets keyed by their lower bound (open = very low), one market per key
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        market_ticker,
        bracket_lower,
        bracket_upper,
        coalesce(bracket_lower, -1000000) as lower_key
    from markets
    where
        ticker_error is null
        and climate_date is not null
        and station_icao is not null
        and contract_type in ('HIGH', 'LOW')
        and (bracket_lower is not null or bracket_upper is not null)
    qualify row_number() over (
        partition by data_source, station_icao, contract_type, climate_date, lower_key
        order by market_ticker
    ) = 1
),

by_contract as (
    select
        running_extremes.data_source,
        running_extremes.station_icao,
        contract_days.contract_type,
        running_extremes.climate_date,
        running_extremes.checkpoint_minute,
        running_extremes.checkpoint_at,
        case contract_days.contract_type
            when 'HIGH' then running_extremes.running_max_f
            else running_extremes.running_min_f
        end as running_extreme_f,
        case contract_days.contract_type
            when 'HIGH' then running_extremes.running_max_f_precise
            else running_extremes.running_min_f_precise
        end as running_extreme_f_precise,
        running_extremes.available_observation_count,
        running_extremes.observation_age_minutes,
        contract_days.final_value_f,
        contract_days.season,
        contract_days.climate_month,
        contract_days.sample_period,
        contract_days.has_settled_ladder,
        contract_days.yes_market_ticker
    from running_extremes
    inner join contract_days
        on
            running_extremes.data_source = contract_days.data_source
            and running_extremes.station_icao = contract_days.station_icao
            and running_extremes.climate_date = contract_days.climate_date
),

with_candidate as (
    select
        by_contract.data_source,
        by_contract.station_icao,
        by_contract.contract_type,
        by_contract.climate_date,
        by_contract.checkpoint_minute,
        by_contract.checkpoint_at,
        by_contract.running_extreme_f,
        by_contract.running_extreme_f_precise,
        by_contract.available_observation_count,
        by_contract.observation_age_minutes,
        by_contract.final_value_f,
        by_contract.season,
        by_contract.climate_month,
        by_contract.sample_period,
        by_contract.has_settled_ladder,
        by_contract.yes_market_ticker,
        ladder_markets.market_ticker as candidate_market_ticker,
        ladder_markets.bracket_lower as candidate_bracket_lower,
        ladder_markets.bracket_upper as candidate_bracket_upper
    from by_contract
    -- ASOF: the ladder market with the greatest lower bound <= the running extreme (brackets
    -- of a ladder do not overlap); it holds the extreme iff its upper bound is not below it
    asof left join ladder_markets
        on
            by_contract.data_source = ladder_markets.data_source
            and by_contract.station_icao = ladder_markets.station_icao
            and by_contract.contract_type = ladder_markets.contract_type
            and by_contract.climate_date = ladder_markets.climate_date
            and by_contract.running_extreme_f >= ladder_markets.lower_key
),

with_bracket as (
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        checkpoint_minute,
        checkpoint_at,
        running_extreme_f,
        running_extreme_f_precise,
        available_observation_count,
        observation_age_minutes,
        final_value_f,
        season,
        climate_month,
        sample_period,
        has_settled_ladder,
        yes_market_ticker,
        case
            when {{ bracket_contains(
                'running_extreme_f', 'candidate_bracket_lower', 'candidate_bracket_upper'
            ) }}
                then candidate_market_ticker
        end as running_bracket_market_ticker,
        case
            when {{ bracket_contains(
                'running_extreme_f', 'candidate_bracket_lower', 'candidate_bracket_upper'
            ) }}
                then candidate_bracket_lower
        end as running_bracket_lower,
        case
            when {{ bracket_contains(
                'running_extreme_f', 'candidate_bracket_lower', 'candidate_bracket_upper'
            ) }}
                then candidate_bracket_upper
        end as running_bracket_upper
    from with_candidate
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        checkpoint_minute,
        checkpoint_at,
        running_extreme_f,
        running_extreme_f_precise,
        available_observation_count,
        observation_age_minutes,
        final_value_f,
        final_value_f - running_extreme_f as delta_f,
        season,
        climate_month,
        sample_period,
        has_settled_ladder,
        yes_market_ticker,
        running_bracket_market_ticker,
        running_bracket_lower,
        running_bracket_upper,
        {{ bracket_headroom(
            'contract_type', 'running_extreme_f', 'running_bracket_lower', 'running_bracket_upper'
        ) }} as running_bracket_headroom_f,
        running_bracket_market_ticker is not null
        and (
            (contract_type = 'HIGH' and running_bracket_upper is null)
            or (contract_type = 'LOW' and running_bracket_lower is null)
        ) as is_running_bracket_open_ended,
        case
            when not has_settled_ladder or running_extreme_f is null then null
            else coalesce(running_bracket_market_ticker = yes_market_ticker, false)
        end as is_running_bracket_yes
    from with_bracket
)

select * from final
