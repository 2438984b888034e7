{#- The delta distribution (final CLI value - running extreme) with its smoothed pmf and CDF;
    the logic and the smoothing live in int_extreme_delta_pmf (documented in the yml). -#}

with

delta_pmf as (
    select * from {{ ref('int_extreme_delta_pmf') }}
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
        cumulative_probability
    from delta_pmf
)

select * from final
