{#- The split is by climate date: no climate date of a data source is in both the train and the
    test period, every train date precedes every test date, and the design accuracy is counted
    on train days only (never more signal days than train days with a settled ladder). -#}

with

candidate_trades as (
    select * from {{ ref('int_thresholds_candidate_trades') }}
),

design_accuracy as (
    select * from {{ ref('int_thresholds_design_accuracy') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
),

periods as (
    select
        candidate_trades.data_source,
        candidate_trades.climate_date,
        candidate_trades.sample_period
    from candidate_trades
    union
    select
        contract_days.data_source,
        contract_days.climate_date,
        contract_days.sample_period
    from contract_days
),

both_periods as (
    select
        periods.data_source,
        cast(periods.climate_date as varchar) as failure,
        'climate date in both periods' as reason
    from periods
    group by periods.data_source, periods.climate_date
    having count(distinct periods.sample_period) > 1
),

overlapping as (
    select
        periods.data_source,
        cast(max(periods.climate_date) filter (
            where periods.sample_period = 'train'
        ) as varchar) as failure,
        'train date after the first test date' as reason
    from periods
    group by periods.data_source
    having
        max(periods.climate_date) filter (where periods.sample_period = 'train')
        >= min(periods.climate_date) filter (where periods.sample_period = 'test')
),

train_days as (
    select
        contract_days.data_source,
        contract_days.station_icao,
        contract_days.contract_type,
        count(*) as train_day_count
    from contract_days
    where contract_days.sample_period = 'train' and contract_days.has_settled_ladder
    group by all
),

accuracy_leaks as (
    select
        design_accuracy.data_source,
        design_accuracy.station_icao || ' ' || design_accuracy.contract_type as failure,
        'accuracy counts more days than the train period has' as reason
    from design_accuracy
    left join train_days
        on
            design_accuracy.data_source = train_days.data_source
            and design_accuracy.station_icao = train_days.station_icao
            and design_accuracy.contract_type = train_days.contract_type
    where design_accuracy.signal_day_count > coalesce(train_days.train_day_count, 0)
)

select * from both_periods
union all
select * from overlapping
union all
select * from accuracy_leaks
