{#- Forecast error per data source, station, lead and season: the last forecast of each lead
    for a climate date against the CLI high and low (fct_climate_day). -#}

with

forecast_days as (
    select * from {{ ref('int_forecast_climate_days') }}
),

climate_days as (
    select * from {{ ref('fct_climate_day') }}
),

last_by_lead as (
    select
        forecast_days.data_source,
        forecast_days.station_icao,
        forecast_days.climate_date,
        forecast_days.lead_days,
        forecast_days.forecast_high_f,
        forecast_days.forecast_low_f,
        forecast_days.is_civil_day_approximation
    from forecast_days
    qualify row_number() over (
        partition by
            forecast_days.data_source,
            forecast_days.station_icao,
            forecast_days.climate_date,
            forecast_days.lead_days
        order by forecast_days.published_at desc, forecast_days.forecast_basis desc
    ) = 1
),

errors as (
    select
        last_by_lead.data_source,
        last_by_lead.station_icao,
        last_by_lead.lead_days,
        last_by_lead.climate_date,
        case
            when month(last_by_lead.climate_date) in (12, 1, 2) then 'DJF'
            when month(last_by_lead.climate_date) in (3, 4, 5) then 'MAM'
            when month(last_by_lead.climate_date) in (6, 7, 8) then 'JJA'
            else 'SON'
        end as season,
        last_by_lead.is_civil_day_approximation,
        last_by_lead.forecast_high_f - climate_days.cli_high_f as high_error_f,
        last_by_lead.forecast_low_f - climate_days.cli_low_f as low_error_f
    from last_by_lead
    inner join climate_days
        on
            last_by_lead.data_source = climate_days.data_source
            and last_by_lead.station_icao = climate_days.station_icao
            and last_by_lead.climate_date = climate_days.climate_date
    where
        climate_days.cli_high_f is not null
        and climate_days.cli_low_f is not null
),

final as (
    select
        data_source,
        station_icao,
        lead_days,
        season,
        count(*) as forecast_day_count,
        count(*) filter (where is_civil_day_approximation) as approximated_day_count,
        -- summed in date order: a double sum in whatever order the threads delivered differed
        -- in the last digit from build to build
        avg(high_error_f order by climate_date) as high_bias_f,
        avg(abs(high_error_f) order by climate_date) as high_mae_f,
        sqrt(avg(high_error_f * high_error_f order by climate_date)) as high_rmse_f,
        avg(low_error_f order by climate_date) as low_bias_f,
        avg(abs(low_error_f) order by climate_date) as low_mae_f,
        sqrt(avg(low_error_f * low_error_f order by climate_date)) as low_rmse_f
    from errors
    group by 1, 2, 3, 4
)

select * from final
