-- The running max never falls and the running min never rises within a climate day.
with

running_extremes as (
    select * from {{ ref('int_running_extremes') }}
),

steps as (
    select
        data_source,
        station_icao,
        climate_date,
        checkpoint_minute,
        running_max_f,
        running_min_f,
        lag(running_max_f) over day_order as previous_max_f,
        lag(running_min_f) over day_order as previous_min_f
    from running_extremes
    window day_order as (
        partition by data_source, station_icao, climate_date
        order by checkpoint_minute
    )
)

select
    data_source,
    station_icao,
    climate_date,
    checkpoint_minute,
    running_max_f,
    previous_max_f,
    running_min_f,
    previous_min_f
from steps
where running_max_f < previous_max_f or running_min_f > previous_min_f
