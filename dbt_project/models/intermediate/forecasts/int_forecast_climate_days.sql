{#- One row per forecast (data source, station, basis) x LST climate date: the forecast high and
    low of the climate day. VC days are civil local days, not LST climate days: when the
    forecast's hours cover the climate day (at least 20 hours inside its LST window), the high and
    low are the max and min of those hours; otherwise the VC day's tempmax/tempmin of the same
    date stand in, flagged is_civil_day_approximation (off by the hour of daylight time). -#}

with

forecasts as (
    select * from {{ ref('stg_visual_crossing__forecasts') }}
),

stations as (
    select * from {{ ref('stations') }}
),

hourly as (
    select
        forecasts.data_source,
        forecasts.station_icao,
        forecasts.forecast_basis,
        {{ climate_date('forecasts.target_at', 'stations.std_utc_offset_hours') }} as climate_date,
        max(forecasts.basis_date) as basis_date,
        max(forecasts.published_at) as published_at,
        max(forecasts.temp_f) as hours_high_f,
        min(forecasts.temp_f) as hours_low_f,
        count(*) as hour_count
    from forecasts
    inner join stations
        on forecasts.station_icao = stations.icao
    where
        forecasts.granularity = 'hour'
        and forecasts.temp_f is not null
    group by 1, 2, 3, 4
),

daily as (
    select
        forecasts.data_source,
        forecasts.station_icao,
        forecasts.forecast_basis,
        forecasts.target_local_date as climate_date,
        forecasts.basis_date,
        forecasts.published_at,
        forecasts.temp_max_f as day_high_f,
        forecasts.temp_min_f as day_low_f
    from forecasts
    where
        forecasts.granularity = 'day'
        and forecasts.temp_max_f is not null
        and forecasts.temp_min_f is not null
),

combined as (
    select
        coalesce(hourly.data_source, daily.data_source) as data_source,
        coalesce(hourly.station_icao, daily.station_icao) as station_icao,
        coalesce(hourly.forecast_basis, daily.forecast_basis) as forecast_basis,
        coalesce(hourly.climate_date, daily.climate_date) as climate_date,
        coalesce(hourly.basis_date, daily.basis_date) as basis_date,
        coalesce(hourly.published_at, daily.published_at) as published_at,
        coalesce(hourly.hour_count, 0) as hour_count,
        coalesce(hourly.hour_count, 0) >= 20 as has_full_hours,
        hourly.hours_high_f,
        hourly.hours_low_f,
        daily.day_high_f,
        daily.day_low_f
    from hourly
    full outer join daily
        on
            hourly.data_source = daily.data_source
            and hourly.station_icao = daily.station_icao
            and hourly.forecast_basis = daily.forecast_basis
            and hourly.climate_date = daily.climate_date
),

final as (
    select
        data_source,
        station_icao,
        forecast_basis,
        climate_date,
        cast(date_diff('day', basis_date, climate_date) as integer) as lead_days,
        case when has_full_hours then hours_high_f else day_high_f end as forecast_high_f,
        case when has_full_hours then hours_low_f else day_low_f end as forecast_low_f,
        hour_count,
        not has_full_hours as is_civil_day_approximation,
        published_at
    from combined
    where
        (has_full_hours or day_high_f is not null)
        and climate_date >= basis_date
)

select * from final
