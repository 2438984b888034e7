with

predictions as (
    select * from {{ optional_parquet('ml', 'predictions') }}
),

final as (
    select
        cast(predictions.data_source as varchar) as data_source,
        cast(predictions.model as varchar) as model_name,
        cast(predictions.market_ticker as varchar) as market_ticker,
        cast(predictions.checkpoint_minute as integer) as checkpoint_minute,
        cast(predictions.station_icao as varchar) as station_icao,
        cast(predictions.contract_type as varchar) as contract_type,
        cast(predictions.climate_date as date) as climate_date,
        cast(predictions.model_id as varchar) as model_id,
        -- fixed-point text, exact (the gate casts it to its probability type)
        cast(predictions.probability as decimal(18, 12)) as probability
    from predictions
)

select * from final
