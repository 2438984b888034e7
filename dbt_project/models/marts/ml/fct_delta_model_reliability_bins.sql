with

evaluation_bins as (
    select * from {{ ref('stg_ml__evaluation_bins') }}
),

final as (
    select
        evaluation_bins.data_source,
        evaluation_bins.model_name,
        evaluation_bins.station_icao,
        evaluation_bins.contract_type,
        evaluation_bins.probability_bin,
        evaluation_bins.mean_predicted_probability,
        evaluation_bins.observed_rate,
        evaluation_bins.prediction_count
    from evaluation_bins
)

select * from final
