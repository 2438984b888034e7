{{ config(materialized='table') }}

{#- One row per station x contract x candidate (rule, window start, buffer, minimum edge) with
    its train and test metrics from int_thresholds_candidate_trades, and train_rank: the
    candidate chosen for a station and contract is train_rank = 1, ranked on TRAIN figures only
    (enough train trades first, then the largest mean realised P&L per contract after fees).
    EV per contract = total P&L after fees / total contracts (contract-weighted: with a fixed
    dollar stake a $0.01 ask buys 1000 contracts and a $0.50 ask 20, so a trade-weighted mean of
    per-contract returns can be positive while the money lost is not); its CI is the normal
    approximation ev +- z x se with the linearised standard error of that ratio estimator,
    se = sqrt(n / (n - 1) x sum((pnl_i - ev x count_i)^2)) / sum(count_i) (null below 2 trades).
    fair_value candidates have buffer_f = 0 only (the rule has no buffer). -#}

{%- set min_train_trades = var('thresholds_min_train_trades') -%}
{%- set z = var('gate_ci_z') -%}

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

window_starts as (
    {{ thresholds_window_starts() }}
),

buffers as (
    {{ thresholds_buffers() }}
),

min_edges as (
    {{ thresholds_min_edges() }}
),

rules as (
    {{ thresholds_rules() }}
),

contract_keys as (
    select distinct
        contract_days.data_source,
        contract_days.station_icao,
        contract_days.contract_type
    from contract_days
),

grid as (
    select
        contract_keys.data_source,
        contract_keys.station_icao,
        contract_keys.contract_type,
        rules.rule,
        window_starts.window_start_minute,
        buffers.buffer_f,
        min_edges.min_edge
    from contract_keys
    cross join rules
    cross join window_starts
    cross join buffers
    cross join min_edges
    where rules.rule = 'design' or buffers.buffer_f = 0
),

metrics as (
    select
        candidate_trades.data_source,
        candidate_trades.station_icao,
        candidate_trades.contract_type,
        candidate_trades.rule,
        candidate_trades.window_start_minute,
        candidate_trades.buffer_f,
        candidate_trades.min_edge,
        {%- for period in ['train', 'test'] %}
            count(*) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_trade_count,
            count(*) filter (
                where candidate_trades.sample_period = '{{ period }}' and candidate_trades.is_win
            ) as {{ period }}_win_count,
            sum(cast(candidate_trades.pnl_dollars as double)) filter (
                where candidate_trades.sample_period = '{{ period }}'
            )
            / sum(candidate_trades.contract_count) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_ev_per_contract,
            sum(cast(candidate_trades.pnl_dollars as double) ^ 2) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_sum_pnl_squared,
            sum(cast(candidate_trades.pnl_dollars as double) * candidate_trades.contract_count)
            filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_sum_pnl_x_count,
            sum(cast(candidate_trades.contract_count as double) ^ 2) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_sum_count_squared,
            sum(candidate_trades.pnl_dollars) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_pnl_dollars,
            sum(candidate_trades.contract_count) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_contract_count,
            avg(candidate_trades.checkpoint_minute) filter (
                where candidate_trades.sample_period = '{{ period }}'
            ) as {{ period }}_mean_entry_minute
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from candidate_trades
    group by all
),

joined as (
    select
        grid.data_source,
        grid.station_icao,
        grid.contract_type,
        grid.rule,
        grid.window_start_minute,
        grid.buffer_f,
        grid.min_edge,
        design_accuracy.accuracy as design_accuracy,
        design_accuracy.signal_day_count as design_accuracy_day_count,
        {%- for period in ['train', 'test'] %}
            coalesce(metrics.{{ period }}_trade_count, 0) as {{ period }}_trade_count,
            coalesce(metrics.{{ period }}_win_count, 0) as {{ period }}_win_count,
            metrics.{{ period }}_ev_per_contract,
            -- standard error of the ratio estimator sum(pnl) / sum(count), linearised:
            -- sqrt(n / (n - 1) x sum((pnl_i - ev x count_i)^2)) / sum(count)
            case
                when metrics.{{ period }}_trade_count >= 2
                    then sqrt(
                        greatest(
                            metrics.{{ period }}_sum_pnl_squared
                            - 2 * metrics.{{ period }}_ev_per_contract
                            * metrics.{{ period }}_sum_pnl_x_count
                            + metrics.{{ period }}_ev_per_contract ^ 2
                            * metrics.{{ period }}_sum_count_squared,
                            0
                        )
                        * metrics.{{ period }}_trade_count
                        / (metrics.{{ period }}_trade_count - 1)
                    )
                    / metrics.{{ period }}_contract_count
            end as {{ period }}_ev_se,
            coalesce(metrics.{{ period }}_pnl_dollars, 0) as {{ period }}_pnl_dollars,
            coalesce(metrics.{{ period }}_contract_count, 0) as {{ period }}_contract_count,
            metrics.{{ period }}_mean_entry_minute
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from grid
    left join metrics
        on
            grid.data_source = metrics.data_source
            and grid.station_icao = metrics.station_icao
            and grid.contract_type = metrics.contract_type
            and grid.rule = metrics.rule
            and grid.window_start_minute = metrics.window_start_minute
            and grid.buffer_f = metrics.buffer_f
            and grid.min_edge = metrics.min_edge
    left join design_accuracy
        on
            grid.data_source = design_accuracy.data_source
            and grid.station_icao = design_accuracy.station_icao
            and grid.contract_type = design_accuracy.contract_type
            and grid.window_start_minute = design_accuracy.window_start_minute
            and grid.buffer_f = design_accuracy.buffer_f
            and grid.rule = 'design'
),

with_ci as (
    select
        joined.data_source,
        joined.station_icao,
        joined.contract_type,
        joined.rule,
        joined.window_start_minute,
        joined.buffer_f,
        joined.min_edge,
        -- the p of the design rule (train signal accuracy); for fair_value the train hit rate,
        -- informational only (the engine reads accuracy for the design rule and its tier)
        cast(
            case joined.rule
                when 'design' then coalesce(joined.design_accuracy, 0)
                else coalesce(joined.train_win_count / nullif(joined.train_trade_count, 0), 0)
            end
            as decimal(18, 4)
        ) as accuracy,
        cast(
            case joined.rule
                when 'design' then coalesce(joined.design_accuracy_day_count, 0)
                else joined.train_trade_count
            end
            as integer
        ) as accuracy_day_count,
        {%- for period in ['train', 'test'] %}
            cast(joined.{{ period }}_trade_count as integer) as {{ period }}_trade_count,
            cast(joined.{{ period }}_win_count as integer) as {{ period }}_win_count,
            joined.{{ period }}_win_count / nullif(joined.{{ period }}_trade_count, 0)
                as {{ period }}_hit_rate,
            cast(joined.{{ period }}_ev_per_contract as decimal(18, 4))
                as {{ period }}_ev_per_contract,
            cast(
                case
                    when joined.{{ period }}_trade_count >= 2
                        then
                            joined.{{ period }}_ev_per_contract
                            - {{ z }} * joined.{{ period }}_ev_se
                end
                as decimal(18, 4)
            ) as {{ period }}_ev_ci_low,
            cast(
                case
                    when joined.{{ period }}_trade_count >= 2
                        then
                            joined.{{ period }}_ev_per_contract
                            + {{ z }} * joined.{{ period }}_ev_se
                end
                as decimal(18, 4)
            ) as {{ period }}_ev_ci_high,
            cast(joined.{{ period }}_pnl_dollars as decimal(18, 2)) as {{ period }}_pnl_dollars,
            cast(joined.{{ period }}_contract_count as bigint) as {{ period }}_contract_count,
            joined.{{ period }}_mean_entry_minute
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from joined
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        rule,
        window_start_minute,
        buffer_f,
        min_edge,
        accuracy,
        accuracy_day_count,
        case
            when rule <> 'design' then 'FV'
            when accuracy >= 0.90 then 'A'
            when accuracy >= 0.80 then 'B'
            else 'SKIP'
        end as tier,
        train_trade_count,
        train_win_count,
        train_hit_rate,
        train_ev_per_contract,
        train_ev_ci_low,
        train_ev_ci_high,
        train_pnl_dollars,
        train_contract_count,
        train_mean_entry_minute,
        test_trade_count,
        test_win_count,
        test_hit_rate,
        test_ev_per_contract,
        test_ev_ci_low,
        test_ev_ci_high,
        test_pnl_dollars,
        test_contract_count,
        test_mean_entry_minute,
        train_trade_count >= {{ min_train_trades }} as has_enough_train_trades,
        cast(row_number() over (
            partition by data_source, station_icao, contract_type
            order by
                train_trade_count >= {{ min_train_trades }} desc,
                train_ev_per_contract desc nulls last,
                train_trade_count desc,
                rule asc,
                window_start_minute asc,
                buffer_f desc,
                min_edge desc
        ) as integer) as train_rank
    from with_ci
)

select * from final
