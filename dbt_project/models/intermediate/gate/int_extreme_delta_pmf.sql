{{ config(materialized='table') }}

{#- Empirical distribution of delta = final CLI value - running extreme (whole °F) per
    station x contract x checkpoint x season, for two fit periods ('all' days, 'train' days
    only), with the smoothed pmf used to price brackets. Smoothing (see the yml):
      pooled (all stations) q_d = (m_d + k) / (M + k * |S|) over the pooled support S;
      station p_d = (n_d + a * q_d) / (N + a)   when N >= min_samples,
                  = q_d                          when N < min_samples <= M,
                  = null                         otherwise. -#}

{%- set k = var('gate_delta_laplace_k', 0.5) -%}
{%- set prior_strength = var('gate_delta_prior_strength', 5) -%}
{%- set min_samples = var('gate_delta_min_samples', 30) -%}

with

contract_checkpoints as (
    select * from {{ ref('int_gate_contract_checkpoints') }}
),

deltas as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        sample_period,
        delta_f
    from contract_checkpoints
    where delta_f is not null
),

fit_periods as (
    select unnest(['all', 'train']) as fit_period
),

period_counts as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        delta_f,
        count(*) as all_count,
        count(*) filter (where sample_period = 'train') as train_count
    from deltas
    group by all
),

station_counts as (
    select
        period_counts.data_source,
        period_counts.station_icao,
        period_counts.contract_type,
        period_counts.checkpoint_minute,
        period_counts.season,
        fit_periods.fit_period,
        period_counts.delta_f,
        case fit_periods.fit_period
            when 'all' then period_counts.all_count
            else period_counts.train_count
        end as sample_count
    from period_counts
    cross join fit_periods
),

pooled_counts as (
    select
        data_source,
        contract_type,
        checkpoint_minute,
        season,
        fit_period,
        delta_f,
        sum(sample_count) as pooled_sample_count
    from station_counts
    group by all
    having sum(sample_count) > 0
),

pooled as (
    select
        data_source,
        contract_type,
        checkpoint_minute,
        season,
        fit_period,
        delta_f,
        pooled_sample_count,
        sum(pooled_sample_count) over pooled_key as pooled_total_count,
        count(*) over pooled_key as pooled_support_size
    from pooled_counts
    window pooled_key as (
        partition by data_source, contract_type, checkpoint_minute, season, fit_period
    )
),

stations_present as (
    select distinct
        data_source,
        station_icao,
        contract_type
    from deltas
),

grid as (
    -- every station x every delta of the pooled support (zero counts included)
    select
        pooled.data_source,
        stations_present.station_icao,
        pooled.contract_type,
        pooled.checkpoint_minute,
        pooled.season,
        pooled.fit_period,
        pooled.delta_f,
        coalesce(station_counts.sample_count, 0) as sample_count,
        pooled.pooled_sample_count,
        pooled.pooled_total_count,
        pooled.pooled_support_size,
        (pooled.pooled_sample_count + {{ k }})
        / (pooled.pooled_total_count + {{ k }} * pooled.pooled_support_size)
            as pooled_smoothed_probability
    from pooled
    inner join stations_present
        on
            pooled.data_source = stations_present.data_source
            and pooled.contract_type = stations_present.contract_type
    left join station_counts
        on
            pooled.data_source = station_counts.data_source
            and stations_present.station_icao = station_counts.station_icao
            and pooled.contract_type = station_counts.contract_type
            and pooled.checkpoint_minute = station_counts.checkpoint_minute
            and pooled.season = station_counts.season
            and pooled.fit_period = station_counts.fit_period
            and pooled.delta_f = station_counts.delta_f
),

with_totals as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        fit_period,
        delta_f,
        sample_count,
        sum(sample_count) over station_key as station_sample_count,
        pooled_sample_count,
        pooled_total_count,
        pooled_support_size,
        pooled_smoothed_probability
    from grid
    window station_key as (
        partition by
            data_source, station_icao, contract_type, checkpoint_minute, season, fit_period
    )
),

smoothed as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        fit_period,
        delta_f,
        cast(sample_count as integer) as sample_count,
        cast(station_sample_count as integer) as station_sample_count,
        case
            when station_sample_count > 0 then sample_count / station_sample_count
        end as empirical_probability,
        cast(pooled_sample_count as integer) as pooled_sample_count,
        cast(pooled_total_count as integer) as pooled_total_count,
        cast(pooled_support_size as integer) as pooled_support_size,
        pooled_smoothed_probability,
        case
            when station_sample_count >= {{ min_samples }} then 'station'
            when pooled_total_count >= {{ min_samples }} then 'pooled'
            else 'insufficient'
        end as probability_basis,
        case
            when station_sample_count >= {{ min_samples }}
                then
                    (sample_count + {{ prior_strength }} * pooled_smoothed_probability)
                    / (station_sample_count + {{ prior_strength }})
            when pooled_total_count >= {{ min_samples }} then pooled_smoothed_probability
        end as smoothed_probability
    from with_totals
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        fit_period,
        delta_f,
        sample_count,
        station_sample_count,
        empirical_probability,
        pooled_sample_count,
        pooled_total_count,
        pooled_support_size,
        pooled_smoothed_probability,
        probability_basis,
        smoothed_probability,
        sum(smoothed_probability) over (
            partition by
                data_source, station_icao, contract_type, checkpoint_minute, season, fit_period
            order by delta_f
            rows between unbounded preceding and current row
        ) as cumulative_probability
    from smoothed
)

select * from final
