{#- Every GO in dim_station_thresholds meets all three criteria, every KILL fails one, and each
    chosen candidate is the one ranked first on train. -#}

{%- set min_ev = var('thresholds_go_min_ev_dollars') -%}
{%- set min_test_days = var('thresholds_go_min_test_days') -%}

with

thresholds as (
    select * from {{ ref('dim_station_thresholds') }}
),

candidates as (
    select * from {{ ref('int_thresholds_candidates') }}
)

select
    thresholds.data_source,
    thresholds.station_icao,
    thresholds.contract_type,
    thresholds.verdict,
    thresholds.ev_per_contract,
    thresholds.ev_ci_low,
    thresholds.test_day_count
from thresholds
left join candidates
    on
        thresholds.data_source = candidates.data_source
        and thresholds.station_icao = candidates.station_icao
        and thresholds.contract_type = candidates.contract_type
        and thresholds.rule = candidates.rule
        and thresholds.window_start_minute = candidates.window_start_minute
        and thresholds.buffer_f = candidates.buffer_f
        and thresholds.min_edge = candidates.min_edge
where
    candidates.train_rank is distinct from 1
    or (
        thresholds.verdict = 'GO'
        and not (
            thresholds.ev_per_contract >= {{ min_ev }}
            and thresholds.ev_ci_low > 0
            and thresholds.test_day_count >= {{ min_test_days }}
        )
    )
    or (
        thresholds.verdict = 'KILL'
        and coalesce(thresholds.ev_per_contract >= {{ min_ev }}, false)
        and coalesce(thresholds.ev_ci_low > 0, false)
        and thresholds.test_day_count >= {{ min_test_days }}
    )
