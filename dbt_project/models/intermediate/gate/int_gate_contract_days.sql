{{ config(materialized='table') }}

{#- One row per station x contract (HIGH, LOW) x climate date: the settlement value, the
    calendar labels, the train/test split and the settled Kalshi ladder of that day (if any). -#}

with

climate_days as (
    select * from {{ ref('fct_climate_day') }}
),

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

contract_types as (
    select unnest(['HIGH', 'LOW']) as contract_type
),

contract_days as (
    select
        climate_days.data_source,
        climate_days.station_icao,
        contract_types.contract_type,
        climate_days.climate_date,
        case contract_types.contract_type
            when 'HIGH' then climate_days.cli_high_f
            else climate_days.cli_low_f
        end as final_value_f
    from climate_days
    cross join contract_types
),

split_dates as (
    -- first climate date of the test period, per data source: the var when set, else the
    -- climate date at the given quantile of the dates with a CLI value
    select
        data_source,
        {% if var('gate_test_start_date', none) %}
            cast('{{ var("gate_test_start_date") }}' as date) as test_start_date
        {% else %}
            quantile_disc(
                climate_date, {{ var('gate_train_fraction', 0.7) }}
            ) as test_start_date
        {% endif %}
    from contract_days
    where final_value_f is not null
    group by data_source
),

ladder_markets as (
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        market_ticker,
        bracket_lower,
        bracket_upper,
        result
    from markets
    where
        ticker_error is null
        and climate_date is not null
        and station_icao is not null
        and contract_type in ('HIGH', 'LOW')
        and (bracket_lower is not null or bracket_upper is not null)
),

ladders as (
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        count(*) as ladder_market_count,
        count(*) filter (where result = 'yes') as ladder_yes_count,
        count(*) filter (where result = 'no') as ladder_no_count,
        max(market_ticker) filter (where result = 'yes') as yes_market_ticker,
        max(bracket_lower) filter (where result = 'yes') as yes_bracket_lower,
        max(bracket_upper) filter (where result = 'yes') as yes_bracket_upper
    from ladder_markets
    group by all
),

final as (
    select
        contract_days.data_source,
        contract_days.station_icao,
        contract_days.contract_type,
        contract_days.climate_date,
        contract_days.final_value_f,
        month(contract_days.climate_date) as climate_month,
        case
            when month(contract_days.climate_date) in (12, 1, 2) then 'DJF'
            when month(contract_days.climate_date) in (3, 4, 5) then 'MAM'
            when month(contract_days.climate_date) in (6, 7, 8) then 'JJA'
            else 'SON'
        end as season,
        case
            when contract_days.climate_date < split_dates.test_start_date then 'train'
            else 'test'
        end as sample_period,
        split_dates.test_start_date,
        coalesce(ladders.ladder_market_count, 0) as ladder_market_count,
        coalesce(ladders.ladder_yes_count, 0) as ladder_yes_count,
        coalesce(ladders.ladder_yes_count, 0) = 1 as has_settled_ladder,
        case when ladders.ladder_yes_count = 1 then ladders.yes_market_ticker end
            as yes_market_ticker,
        case when ladders.ladder_yes_count = 1 then ladders.yes_bracket_lower end
            as yes_bracket_lower,
        case when ladders.ladder_yes_count = 1 then ladders.yes_bracket_upper end
            as yes_bracket_upper
    from contract_days
    left join split_dates
        on contract_days.data_source = split_dates.data_source
    left join ladders
        on
            contract_days.data_source = ladders.data_source
            and contract_days.station_icao = ladders.station_icao
            and contract_days.contract_type = ladders.contract_type
            and contract_days.climate_date = ladders.climate_date
)

select * from final
