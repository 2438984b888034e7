{#- The thresholds table the trader reads (domain.thresholds.StationThresholds.from_record takes a
    row as it is): per station x contract the rule and parameters chosen on train, their
    out-of-sample (test) figures, and the go/kill verdict:
      GO   iff ev_per_contract >= thresholds_go_min_ev_dollars (after fees)
           and ev_ci_low > 0
           and test_day_count >= thresholds_go_min_test_days;
      KILL otherwise, verdict_reason naming every failed criterion.
    Simulated data is not a kill reason; data_source says which it is. Performance figures are
    out-of-sample only (train figures stay in int_thresholds_candidates / _selected). -#}

{%- set min_ev = var('thresholds_go_min_ev_dollars') -%}
{%- set min_test_days = var('thresholds_go_min_test_days') -%}
{%- set passes_ev = 'coalesce(ev_per_contract >= ' ~ min_ev ~ ', false)' -%}
{%- set passes_ci = 'coalesce(ev_ci_low > 0, false)' -%}
{%- set passes_days = 'coalesce(test_day_count >= ' ~ min_test_days ~ ', false)' -%}
{%- set passes_all = '(' ~ passes_ev ~ ' and ' ~ passes_ci ~ ' and ' ~ passes_days ~ ')' -%}

with

selected as (
    select * from {{ ref('int_thresholds_selected') }}
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        rule,
        cast(window_start_minute as integer) as window_start_minute,
        cast({{ var('thresholds_window_end_minute') }} as integer) as window_end_minute,
        cast(buffer_f as integer) as buffer_f,
        cast(accuracy as decimal(18, 4)) as accuracy,
        cast(accuracy_day_count as integer) as accuracy_day_count,
        cast(min_edge as decimal(18, 4)) as min_edge,
        tier,
        cast({{ var('gate_max_obs_age_minutes') }} as integer) as max_obs_age_minutes,
        cast({{ var('gate_stake_min_dollars') }} as decimal(18, 2)) as stake_min,
        cast({{ var('gate_stake_max_dollars') }} as decimal(18, 2)) as stake_max,
        cast(ev_per_contract as decimal(18, 4)) as ev_per_contract,
        cast(ev_ci_low as decimal(18, 4)) as ev_ci_low,
        cast(ev_ci_high as decimal(18, 4)) as ev_ci_high,
        -- the verdict's bars, beside the figures they judge
        cast({{ var('thresholds_go_min_ev_dollars') }} as decimal(18, 4)) as go_min_ev_dollars,
        cast({{ var('thresholds_go_min_test_days') }} as integer) as go_min_test_days,
        'normal approximation: contract-weighted EV (total P&L / total contracts) +- z x '
        || 'linearised standard error of that ratio over trades, z = {{ var("gate_ci_z") }}'
            as ev_ci_method,
        cast(test_trade_count as integer) as test_trade_count,
        cast(test_win_count as integer) as test_win_count,
        test_hit_rate,
        cast(test_pnl_dollars as decimal(18, 2)) as test_pnl_dollars,
        cast(test_contract_count as bigint) as test_contract_count,
        cast(test_day_count as integer) as test_day_count,
        test_start_date,
        test_end_date,
        cast(train_trade_count as integer) as train_trade_count,
        has_enough_train_trades,
        cast(train_day_count as integer) as train_day_count,
        train_start_date,
        train_end_date,
        cast(train_source_row_count as bigint) as train_source_row_count,
        cast(test_source_row_count as bigint) as test_source_row_count,
        cast(source_market_count as integer) as source_market_count,
        cast(candidate_count as integer) as candidate_count,
        case when {{ passes_all }} then 'GO' else 'KILL' end as verdict,
        case
            when {{ passes_all }}
                then
                    'ev ' || printf('%.4f', ev_per_contract) || ' >= $'
                    || printf('%.2f', {{ min_ev }}) || ', lower bound '
                    || printf('%.4f', ev_ci_low) || ' > 0, ' || test_day_count || ' test days'
            else concat_ws(
                '; ',
                case when coalesce(test_trade_count, 0) = 0 then 'no test trades' end,
                case
                    when ev_per_contract is not null and not {{ passes_ev }}
                        then
                            'ev ' || printf('%.4f', ev_per_contract) || ' below $'
                            || printf('%.2f', {{ min_ev }})
                end,
                case
                    when ev_per_contract is not null and ev_ci_low is null
                        then 'lower bound undefined (' || test_trade_count || ' test trade)'
                    when ev_ci_low is not null and not {{ passes_ci }}
                        then 'lower bound ' || printf('%.4f', ev_ci_low) || ' <= 0'
                end,
                case
                    when not {{ passes_days }}
                        then
                            'only ' || test_day_count || ' test days (< '
                            || {{ min_test_days }} || ')'
                end
            )
        end as verdict_reason
    from selected
)

select * from final
