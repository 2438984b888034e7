-- every Kalshi series settled on a registry station, with its contract type
with

stations as (
    select * from {{ ref('stations') }}
),

station_series as (
    select
        stations.high_series_ticker as series_ticker,
        stations.icao as station_icao,
        'HIGH' as contract_type,
        false as is_legacy
    from stations
    union all
    select
        stations.legacy_high_series_ticker as series_ticker,
        stations.icao as station_icao,
        'HIGH' as contract_type,
        true as is_legacy
    from stations
    -- the newer KXHIGHT<CITY> series never had a legacy name
    where stations.legacy_high_series_ticker is not null
    union all
    select
        stations.low_series_ticker as series_ticker,
        stations.icao as station_icao,
        'LOW' as contract_type,
        false as is_legacy
    from stations
)

select * from station_series
