{#- Accuracy of "the bracket containing the running extreme is the bracket that settled YES",
    per station x contract x checkpoint x period (all / season / month) x buffer.
    Rows are first reduced to (checkpoint, month, margin) counts, then expanded to buffers and
    periods, so the big table is scanned once. -#}

{%- set buffers = var('gate_buffers_f', [0, 1, 2, 3]) -%}
{%- set z = var('gate_ci_z', 1.96) -%}

with

contract_checkpoints as (
    select * from {{ ref('int_gate_contract_checkpoints') }}
),

buffers as (
    select unnest({{ buffers }}) as buffer_f
),

period_types as (
    select unnest(['all', 'season', 'month']) as period_type
),

month_counts as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        climate_month,
        season,
        -- headroom capped at the largest buffer: -1 = outside every bracket of the ladder,
        -- the cap = open-ended in the direction of travel (nothing left to cross)
        case
            when running_bracket_market_ticker is null then -1
            when is_running_bracket_open_ended then {{ buffers | max }}
            else least(running_bracket_headroom_f, {{ buffers | max }})
        end as headroom_capped_f,
        count(*) filter (where has_settled_ladder) as ladder_day_count,
        count(*) filter (where is_running_bracket_yes) as correct_day_count,
        count(*) filter (where not has_settled_ladder) as no_ladder_day_count,
        count(*) filter (where final_value_f is not null) as cli_day_count,
        count(*) filter (where final_value_f = running_extreme_f) as running_equals_final_count
    from contract_checkpoints
    where running_extreme_f is not null
    group by all
),

periods as (
    select
        month_counts.data_source,
        month_counts.station_icao,
        month_counts.contract_type,
        month_counts.checkpoint_minute,
        month_counts.headroom_capped_f,
        period_types.period_type,
        case period_types.period_type
            when 'all' then 'all'
            when 'season' then month_counts.season
            else lpad(cast(month_counts.climate_month as varchar), 2, '0')
        end as period_value,
        month_counts.ladder_day_count,
        month_counts.correct_day_count,
        month_counts.no_ladder_day_count,
        month_counts.cli_day_count,
        month_counts.running_equals_final_count
    from month_counts
    cross join period_types
),

by_buffer as (
    select
        periods.data_source,
        periods.station_icao,
        periods.contract_type,
        periods.checkpoint_minute,
        periods.period_type,
        periods.period_value,
        buffers.buffer_f,
        sum(periods.ladder_day_count) as eligible_day_count,
        coalesce(sum(periods.ladder_day_count) filter (
            where periods.headroom_capped_f >= buffers.buffer_f or buffers.buffer_f = 0
        ), 0) as day_count,
        coalesce(sum(periods.correct_day_count) filter (
            where periods.headroom_capped_f >= buffers.buffer_f or buffers.buffer_f = 0
        ), 0) as correct_day_count,
        sum(periods.no_ladder_day_count) as no_ladder_day_count,
        sum(periods.cli_day_count) as cli_day_count,
        sum(periods.running_equals_final_count) as running_equals_final_count
    from periods
    cross join buffers
    group by all
),

rates as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        period_type,
        period_value,
        buffer_f,
        cast(day_count as integer) as day_count,
        cast(correct_day_count as integer) as correct_day_count,
        cast(eligible_day_count as integer) as eligible_day_count,
        cast(no_ladder_day_count as integer) as no_ladder_day_count,
        cast(cli_day_count as integer) as cli_day_count,
        case when day_count > 0 then correct_day_count / day_count end as accuracy,
        case
            when eligible_day_count > 0 then day_count / eligible_day_count
        end as coverage,
        case
            when cli_day_count > 0 then running_equals_final_count / cli_day_count
        end as running_equals_final_share
    from by_buffer
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        period_type,
        period_value,
        buffer_f,
        day_count,
        correct_day_count,
        accuracy,
        {{ wilson_bound('accuracy', 'day_count', z, 'low') }} as accuracy_ci_low,
        {{ wilson_bound('accuracy', 'day_count', z, 'high') }} as accuracy_ci_high,
        eligible_day_count,
        coverage,
        no_ladder_day_count,
        cli_day_count,
        running_equals_final_share
    from rates
)

select * from final
