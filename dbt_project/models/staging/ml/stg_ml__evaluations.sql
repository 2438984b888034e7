with

evaluation as (
    select * from {{ optional_parquet('ml', 'evaluation') }}
),

final as (
    select
        cast(evaluation.data_source as varchar) as data_source,
        cast(evaluation.model as varchar) as model_name,
        cast(evaluation.station_icao as varchar) as station_icao,
        cast(evaluation.contract_type as varchar) as contract_type,
        cast(evaluation.test_days as integer) as test_day_count,
        cast(evaluation.log_loss as double) as log_loss,
        cast(evaluation.brier as double) as brier_score,
        cast(evaluation.rps as double) as ranked_probability_score,
        cast(evaluation.calibration_error as double) as calibration_error,
        cast(evaluation.baseline_log_loss as double) as baseline_log_loss
    from evaluation
)

select * from final
