{#- Every forecast of a climate date with its publication time: the as-of input. The latest row
    with published_at <= T is what was known at T (int_forecast_checkpoints does that join). Two
    forecasts published at the same instant keep the later basis. -#}

with

forecast_days as (
    select * from {{ ref('int_forecast_climate_days') }}
),

final as (
    select
        forecast_days.data_source,
        forecast_days.station_icao,
        forecast_days.climate_date,
        forecast_days.lead_days,
        forecast_days.forecast_high_f,
        forecast_days.forecast_low_f,
        forecast_days.published_at
    from forecast_days
    qualify row_number() over (
        partition by
            forecast_days.data_source,
            forecast_days.station_icao,
            forecast_days.climate_date,
            forecast_days.published_at
        order by forecast_days.forecast_basis desc
    ) = 1
)

select * from final
