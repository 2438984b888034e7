with

observations as (
    select * from {{ ref('int_observations__climate_day') }}
),

cli_daily as (
    select * from {{ ref('stg_iem__cli_daily') }}
),

cf6_daily as (
    select * from {{ ref('stg_iem__cf6_daily') }}
),

observed as (
    select
        observations.data_source,
        observations.station_icao,
        observations.climate_date,
        max(observations.temp_f) as obs_max_temp_f,
        min(observations.temp_f) as obs_min_temp_f,
        max(observations.temp_f_whole) as obs_max_temp_f_whole,
        min(observations.temp_f_whole) as obs_min_temp_f_whole,
        count(*) as observation_count,
        count(*) filter (where observations.report_type = 3) as routine_report_count,
        count(*) filter (where observations.report_type = 1) as hf_report_count
    from observations
    where observations.temp_f is not null
    group by 1, 2, 3
),

cli_ranked as (
    select
        cli_daily.data_source,
        cli_daily.station_icao,
        cli_daily.climate_date,
        cli_daily.high_f,
        cli_daily.low_f,
        cli_daily.product_id,
        cli_daily.published_at,
        -- the latest issuance wins (corrections are reissued); product id breaks ties
        row_number() over (
            partition by cli_daily.data_source, cli_daily.station_icao, cli_daily.climate_date
            order by cli_daily.published_at desc, cli_daily.product_id desc
        ) as issuance_rank,
        count(*) over (
            partition by cli_daily.data_source, cli_daily.station_icao, cli_daily.climate_date
        ) as issuance_count
    from cli_daily
),

cli_latest as (
    select
        cli_ranked.data_source,
        cli_ranked.station_icao,
        cli_ranked.climate_date,
        cli_ranked.high_f as cli_high_f,
        cli_ranked.low_f as cli_low_f,
        cli_ranked.product_id as cli_product_id,
        cli_ranked.published_at as cli_published_at,
        cli_ranked.issuance_count as cli_issuance_count
    from cli_ranked
    where cli_ranked.issuance_rank = 1
),

cf6_latest as (
    select
        cf6_daily.data_source,
        cf6_daily.station_icao,
        cf6_daily.climate_date,
        cf6_daily.high_f as cf6_high_f,
        cf6_daily.low_f as cf6_low_f
    from cf6_daily
    qualify row_number() over (
        partition by cf6_daily.data_source, cf6_daily.station_icao, cf6_daily.climate_date
        order by cf6_daily.published_at desc, cf6_daily.product_id desc
    ) = 1
),

day_keys as (
    select
        observed.data_source,
        observed.station_icao,
        observed.climate_date
    from observed
    union
    select
        cli_latest.data_source,
        cli_latest.station_icao,
        cli_latest.climate_date
    from cli_latest
    union
    select
        cf6_latest.data_source,
        cf6_latest.station_icao,
        cf6_latest.climate_date
    from cf6_latest
),

final as (
    select
        day_keys.data_source,
        day_keys.station_icao,
        day_keys.climate_date,
        observed.obs_max_temp_f,
        observed.obs_min_temp_f,
        observed.obs_max_temp_f_whole,
        observed.obs_min_temp_f_whole,
        cli_latest.cli_high_f,
        cli_latest.cli_low_f,
        cli_latest.cli_product_id,
        cli_latest.cli_published_at,
        coalesce(cli_latest.cli_issuance_count, 0) as cli_issuance_count,
        cli_latest.cli_high_f - observed.obs_max_temp_f_whole as cli_high_minus_obs_max,
        cli_latest.cli_low_f - observed.obs_min_temp_f_whole as cli_low_minus_obs_min,
        coalesce(observed.observation_count, 0) as observation_count,
        coalesce(observed.routine_report_count, 0) as routine_report_count,
        coalesce(observed.hf_report_count, 0) as hf_report_count,
        coalesce(observed.routine_report_count, 0)
        >= {{ var('min_routine_reports_per_day') }} as has_full_coverage,
        cf6_latest.cf6_high_f,
        cf6_latest.cf6_low_f
    from day_keys
    left join observed
        on
            day_keys.data_source = observed.data_source
            and day_keys.station_icao = observed.station_icao
            and day_keys.climate_date = observed.climate_date
    left join cli_latest
        on
            day_keys.data_source = cli_latest.data_source
            and day_keys.station_icao = cli_latest.station_icao
            and day_keys.climate_date = cli_latest.climate_date
    left join cf6_latest
        on
            day_keys.data_source = cf6_latest.data_source
            and day_keys.station_icao = cf6_latest.station_icao
            and day_keys.climate_date = cf6_latest.climate_date
)

select * from final
