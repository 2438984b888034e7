{{ config(materialized='table') }}

{#- Parameter search over trading-window start x buffer x minimum edge, per station x contract.
    Rule of a candidate (s, b, t): on each climate day, buy YES on the bracket holding the running
    extreme at the first checkpoint >= s at which that bracket has an executable ask, a headroom
    (domain.brackets.headroom: °F left before the edge it can still cross) of at least b °F,
    a fresh observation (age <= gate_max_obs_age_minutes) and an expected value per contract
    of at least t; at most one trade a day.
    Metrics are computed separately on the train and the test climate dates (int_gate_contract_days
    split: no day in both); the candidate is ranked on train metrics only. -#}

{%- set starts = var('gate_search_window_starts', range(0, 1440, 60) | list) -%}
{%- set buffers = var('gate_buffers_f', [0, 1, 2, 3]) -%}
{%- set min_edges = var('gate_search_min_edges_dollars', [0.0, 0.02, 0.05, 0.1]) -%}
{%- set min_train_trades = var('gate_search_min_train_trades', 20) -%}
{%- set z = var('gate_ci_z', 1.96) -%}
{%- set max_obs_age = var('gate_max_obs_age_minutes', 20) -%}

with

market_checkpoints as (
    select * from {{ ref('int_gate_market_checkpoints') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
),

window_starts as (
    select cast(unnest({{ starts }}) as integer) as window_start_minute
),

buffers as (
    select cast(unnest({{ buffers }}) as integer) as buffer_f
),

min_edges as (
    select cast(unnest({{ min_edges }}) as decimal(18, 4)) as min_edge_dollars
),

opportunities as (
    -- the running-extreme bracket at each checkpoint where it could be bought at all
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        sample_period,
        checkpoint_minute,
        coalesce(
            running_bracket_headroom_f, {{ buffers | max }}
        ) as headroom_f,
        edge_dollars,
        realised_pnl_dollars,
        result = 'yes' as is_win
    from market_checkpoints
    where
        is_running_bracket
        and has_executable_ask
        and model_probability is not null
        and result in ('yes', 'no')
        and (is_running_bracket_open_ended or running_bracket_headroom_f >= {{ buffers | min }})
        and observation_age_minutes <= {{ max_obs_age }}
        and edge_dollars >= {{ min_edges | min }}
),

qualifying as (
    -- each opportunity under every (buffer, min edge) it satisfies, with the previous
    -- qualifying checkpoint of the same day: it is the first trade for starts in (previous, own]
    select
        opportunities.data_source,
        opportunities.station_icao,
        opportunities.contract_type,
        opportunities.climate_date,
        opportunities.sample_period,
        opportunities.checkpoint_minute,
        buffers.buffer_f,
        min_edges.min_edge_dollars,
        opportunities.edge_dollars,
        opportunities.realised_pnl_dollars,
        opportunities.is_win,
        coalesce(
            lag(opportunities.checkpoint_minute) over (
                partition by
                    opportunities.data_source,
                    opportunities.station_icao,
                    opportunities.contract_type,
                    opportunities.climate_date,
                    buffers.buffer_f,
                    min_edges.min_edge_dollars
                order by opportunities.checkpoint_minute
            ),
            -1
        ) as previous_checkpoint_minute
    from opportunities
    inner join buffers
        on opportunities.headroom_f >= buffers.buffer_f
    inner join min_edges
        on opportunities.edge_dollars >= min_edges.min_edge_dollars
),

trades as (
    select
        qualifying.data_source,
        qualifying.station_icao,
        qualifying.contract_type,
        window_starts.window_start_minute,
        qualifying.buffer_f,
        qualifying.min_edge_dollars,
        qualifying.sample_period,
        qualifying.climate_date,
        qualifying.checkpoint_minute,
        qualifying.edge_dollars,
        qualifying.realised_pnl_dollars,
        qualifying.is_win
    from qualifying
    inner join window_starts
        on
            qualifying.previous_checkpoint_minute < window_starts.window_start_minute
            and qualifying.checkpoint_minute >= window_starts.window_start_minute
),

contract_keys as (
    select distinct
        data_source,
        station_icao,
        contract_type
    from market_checkpoints
),

candidates as (
    select
        contract_keys.data_source,
        contract_keys.station_icao,
        contract_keys.contract_type,
        window_starts.window_start_minute,
        buffers.buffer_f,
        min_edges.min_edge_dollars
    from contract_keys
    cross join window_starts
    cross join buffers
    cross join min_edges
),

period_days as (
    select
        data_source,
        station_icao,
        contract_type,
        count(*) filter (where sample_period = 'train') as train_ladder_day_count,
        count(*) filter (where sample_period = 'test') as test_ladder_day_count
    from contract_days
    where has_settled_ladder
    group by all
),

metrics as (
    select
        data_source,
        station_icao,
        contract_type,
        window_start_minute,
        buffer_f,
        min_edge_dollars,
        {%- for period in ['train', 'test'] %}
            count(*) filter (where sample_period = '{{ period }}') as {{ period }}_trade_count,
            count(*) filter (
                where sample_period = '{{ period }}' and is_win
            ) as {{ period }}_win_count,
            avg(edge_dollars) filter (
                where sample_period = '{{ period }}'
            ) as {{ period }}_mean_edge_dollars,
            avg(realised_pnl_dollars) filter (
                where sample_period = '{{ period }}'
            ) as {{ period }}_ev_dollars,
            stddev_samp(realised_pnl_dollars) filter (
                where sample_period = '{{ period }}'
            ) as {{ period }}_pnl_sd_dollars,
            avg(checkpoint_minute) filter (
                where sample_period = '{{ period }}'
            ) as {{ period }}_mean_entry_minute
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from trades
    group by all
),

joined as (
    select
        candidates.data_source,
        candidates.station_icao,
        candidates.contract_type,
        candidates.window_start_minute,
        candidates.buffer_f,
        candidates.min_edge_dollars,
        coalesce(period_days.train_ladder_day_count, 0) as train_day_count,
        coalesce(period_days.test_ladder_day_count, 0) as test_day_count,
        {%- for period in ['train', 'test'] %}
            coalesce(metrics.{{ period }}_trade_count, 0) as {{ period }}_trade_count,
            coalesce(metrics.{{ period }}_win_count, 0) as {{ period }}_win_count,
            metrics.{{ period }}_mean_edge_dollars,
            metrics.{{ period }}_ev_dollars,
            metrics.{{ period }}_pnl_sd_dollars,
            metrics.{{ period }}_mean_entry_minute
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from candidates
    left join metrics
        on
            candidates.data_source = metrics.data_source
            and candidates.station_icao = metrics.station_icao
            and candidates.contract_type = metrics.contract_type
            and candidates.window_start_minute = metrics.window_start_minute
            and candidates.buffer_f = metrics.buffer_f
            and candidates.min_edge_dollars = metrics.min_edge_dollars
    left join period_days
        on
            candidates.data_source = period_days.data_source
            and candidates.station_icao = period_days.station_icao
            and candidates.contract_type = period_days.contract_type
),

with_ci as (
    select
        data_source,
        station_icao,
        contract_type,
        window_start_minute,
        buffer_f,
        min_edge_dollars,
        train_day_count,
        test_day_count,
        {%- for period in ['train', 'test'] %}
            cast({{ period }}_trade_count as integer) as {{ period }}_trade_count,
            cast({{ period }}_win_count as integer) as {{ period }}_win_count,
            cast({{ period }}_mean_edge_dollars as decimal(18, 4))
                as {{ period }}_mean_edge_dollars,
            cast({{ period }}_ev_dollars as decimal(18, 4)) as {{ period }}_ev_dollars,
            cast(
                {{ period }}_ev_dollars
                - {{ z }} * {{ period }}_pnl_sd_dollars / sqrt({{ period }}_trade_count)
                as decimal(18, 4)
            ) as {{ period }}_ev_ci_low_dollars,
            cast(
                {{ period }}_ev_dollars
                + {{ z }} * {{ period }}_pnl_sd_dollars / sqrt({{ period }}_trade_count)
                as decimal(18, 4)
            ) as {{ period }}_ev_ci_high_dollars,
            case
                when {{ period }}_trade_count > 0
                    then {{ period }}_win_count / {{ period }}_trade_count
            end as {{ period }}_win_rate,
            {{ period }}_mean_entry_minute
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from joined
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        window_start_minute,
        buffer_f,
        min_edge_dollars,
        train_day_count,
        train_trade_count,
        train_win_count,
        train_win_rate,
        train_mean_edge_dollars,
        train_ev_dollars,
        train_ev_ci_low_dollars,
        train_ev_ci_high_dollars,
        train_mean_entry_minute,
        test_day_count,
        test_trade_count,
        test_win_count,
        test_win_rate,
        test_mean_edge_dollars,
        test_ev_dollars,
        test_ev_ci_low_dollars,
        test_ev_ci_high_dollars,
        test_mean_entry_minute,
        train_trade_count >= {{ min_train_trades }} as has_enough_train_trades,
        row_number() over (
            partition by data_source, station_icao, contract_type
            order by
                train_trade_count >= {{ min_train_trades }} desc,
                train_ev_ci_low_dollars desc nulls last,
                train_ev_dollars desc nulls last,
                window_start_minute asc,
                buffer_f desc,
                min_edge_dollars desc
        ) as train_rank
    from with_ci
)

select * from final
