{{ config(materialized='table') }}

{#- The candidate chosen on train (train_rank = 1) per station x contract, with its test
    (out-of-sample) figures and the provenance of the numbers: the train and test climate-date
    ranges, the days with a settled ladder in each, and the row counts they came from.
    dim_station_thresholds adds the verdict. -#}

with

candidates as (
    select * from {{ ref('int_thresholds_candidates') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
),

engine_inputs as (
    select * from {{ ref('int_thresholds_engine_inputs') }}
),

chosen as (
    select
        candidates.data_source,
        candidates.station_icao,
        candidates.contract_type,
        candidates.rule,
        candidates.window_start_minute,
        candidates.buffer_f,
        candidates.min_edge,
        candidates.accuracy,
        candidates.accuracy_day_count,
        candidates.tier,
        candidates.train_trade_count,
        candidates.train_hit_rate,
        candidates.train_ev_per_contract,
        candidates.has_enough_train_trades,
        candidates.test_trade_count,
        candidates.test_win_count,
        candidates.test_hit_rate,
        candidates.test_ev_per_contract as ev_per_contract,
        candidates.test_ev_ci_low as ev_ci_low,
        candidates.test_ev_ci_high as ev_ci_high,
        candidates.test_pnl_dollars,
        candidates.test_contract_count
    from candidates
    where candidates.train_rank = 1
),

candidate_counts as (
    select
        candidates.data_source,
        candidates.station_icao,
        candidates.contract_type,
        count(*) as candidate_count
    from candidates
    group by all
),

periods as (
    select
        contract_days.data_source,
        contract_days.station_icao,
        contract_days.contract_type,
        count(*) filter (where contract_days.sample_period = 'train') as train_day_count,
        count(*) filter (where contract_days.sample_period = 'test') as test_day_count,
        min(contract_days.climate_date) filter (
            where contract_days.sample_period = 'train'
        ) as train_start_date,
        max(contract_days.climate_date) filter (
            where contract_days.sample_period = 'train'
        ) as train_end_date,
        min(contract_days.climate_date) filter (
            where contract_days.sample_period = 'test'
        ) as test_start_date,
        max(contract_days.climate_date) filter (
            where contract_days.sample_period = 'test'
        ) as test_end_date
    from contract_days
    where contract_days.has_settled_ladder
    group by all
),

source_rows as (
    select
        engine_inputs.data_source,
        engine_inputs.station_icao,
        engine_inputs.contract_type,
        count(*) filter (
            where engine_inputs.sample_period = 'train'
        ) as train_source_row_count,
        count(*) filter (where engine_inputs.sample_period = 'test') as test_source_row_count,
        count(distinct engine_inputs.market_ticker) as source_market_count
    from engine_inputs
    group by all
),

final as (
    select
        chosen.data_source,
        chosen.station_icao,
        chosen.contract_type,
        chosen.rule,
        chosen.window_start_minute,
        chosen.buffer_f,
        chosen.min_edge,
        chosen.accuracy,
        chosen.accuracy_day_count,
        chosen.tier,
        chosen.ev_per_contract,
        chosen.ev_ci_low,
        chosen.ev_ci_high,
        chosen.test_trade_count,
        chosen.test_win_count,
        chosen.test_hit_rate,
        chosen.test_pnl_dollars,
        chosen.test_contract_count,
        cast(coalesce(periods.test_day_count, 0) as integer) as test_day_count,
        periods.test_start_date,
        periods.test_end_date,
        chosen.train_trade_count,
        chosen.train_hit_rate,
        chosen.train_ev_per_contract,
        chosen.has_enough_train_trades,
        cast(coalesce(periods.train_day_count, 0) as integer) as train_day_count,
        periods.train_start_date,
        periods.train_end_date,
        cast(coalesce(source_rows.train_source_row_count, 0) as bigint)
            as train_source_row_count,
        cast(coalesce(source_rows.test_source_row_count, 0) as bigint) as test_source_row_count,
        cast(coalesce(source_rows.source_market_count, 0) as integer) as source_market_count,
        cast(candidate_counts.candidate_count as integer) as candidate_count
    from chosen
    left join periods
        on
            chosen.data_source = periods.data_source
            and chosen.station_icao = periods.station_icao
            and chosen.contract_type = periods.contract_type
    left join source_rows
        on
            chosen.data_source = source_rows.data_source
            and chosen.station_icao = source_rows.station_icao
            and chosen.contract_type = source_rows.contract_type
    left join candidate_counts
        on
            chosen.data_source = candidate_counts.data_source
            and chosen.station_icao = candidate_counts.station_icao
            and chosen.contract_type = candidate_counts.contract_type
)

select * from final
