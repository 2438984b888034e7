with

evaluation_bins as (
    select * from {{ optional_parquet('ml', 'evaluation_bins') }}
),

final as (
    select
        cast(evaluation_bins.data_source as varchar) as data_source,
        cast(evaluation_bins.model as varchar) as model_name,
        cast(evaluation_bins.station_icao as varchar) as station_icao,
        cast(evaluation_bins.contract_type as varchar) as contract_type,
        cast(evaluation_bins.bin as integer) as probability_bin,
        cast(evaluation_bins.mean_predicted as double) as mean_predicted_probability,
        cast(evaluation_bins.observed_rate as double) as observed_rate,
        cast(evaluation_bins.n as integer) as prediction_count
    from evaluation_bins
)

select * from final
