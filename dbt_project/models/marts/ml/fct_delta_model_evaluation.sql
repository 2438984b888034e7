{#- One row per model x data_source x station x contract on the test period, with the empirical
    pmf's scores beside each model's (lower is better for every score). -#}

with

evaluations as (
    select * from {{ ref('stg_ml__evaluations') }}
),

baseline as (
    select
        data_source,
        station_icao,
        contract_type,
        log_loss,
        brier_score,
        ranked_probability_score,
        calibration_error
    from evaluations
    where model_name = 'empirical'
),

with_baseline as (
    select
        evaluations.data_source,
        evaluations.model_name,
        evaluations.station_icao,
        evaluations.contract_type,
        evaluations.model_name = 'empirical' as is_baseline,
        evaluations.test_day_count,
        evaluations.log_loss,
        evaluations.brier_score,
        evaluations.ranked_probability_score,
        evaluations.calibration_error,
        -- the empirical row's own score; the file's copy when that row is missing
        coalesce(baseline.log_loss, evaluations.baseline_log_loss) as baseline_log_loss,
        baseline.brier_score as baseline_brier_score,
        baseline.ranked_probability_score as baseline_ranked_probability_score,
        baseline.calibration_error as baseline_calibration_error
    from evaluations
    left join baseline
        on
            evaluations.data_source = baseline.data_source
            and evaluations.station_icao = baseline.station_icao
            and evaluations.contract_type = baseline.contract_type
),

final as (
    select
        data_source,
        model_name,
        station_icao,
        contract_type,
        is_baseline,
        test_day_count,
        log_loss,
        brier_score,
        ranked_probability_score,
        calibration_error,
        baseline_log_loss,
        baseline_brier_score,
        baseline_ranked_probability_score,
        baseline_calibration_error,
        baseline_log_loss - log_loss as log_loss_improvement,
        -- a comparison only for the models; the baseline does not beat itself
        case when not is_baseline then log_loss < baseline_log_loss end
            as beats_baseline_log_loss,
        case when not is_baseline then brier_score < baseline_brier_score end
            as beats_baseline_brier_score,
        case
            when not is_baseline
                then ranked_probability_score < baseline_ranked_probability_score
        end as beats_baseline_ranked_probability_score,
        case when not is_baseline then calibration_error < baseline_calibration_error end
            as beats_baseline_calibration_error
    from with_baseline
)

select * from final
