with

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

climate_days as (
    select * from {{ ref('fct_climate_day') }}
),

settled as (
    select
        markets.data_source,
        markets.market_ticker,
        markets.event_ticker,
        markets.series_ticker,
        markets.station_icao,
        markets.contract_type,
        markets.climate_date,
        markets.strike_type,
        markets.bracket_lower,
        markets.bracket_upper,
        markets.result,
        markets.market_tier,
        markets.bracket_error,
        markets.ticker_error
    from markets
    where markets.result in ('yes', 'no')
),

joined as (
    select
        settled.data_source,
        settled.market_ticker,
        settled.event_ticker,
        settled.series_ticker,
        settled.station_icao,
        settled.contract_type,
        settled.climate_date,
        settled.strike_type,
        settled.bracket_lower,
        settled.bracket_upper,
        settled.result as kalshi_result,
        settled.market_tier,
        settled.bracket_error,
        settled.ticker_error,
        climate_days.cli_product_id,
        case settled.contract_type
            when 'HIGH' then climate_days.cli_high_f
            when 'LOW' then climate_days.cli_low_f
        end as cli_value_f
    from settled
    left join climate_days
        on
            settled.data_source = climate_days.data_source
            and settled.station_icao = climate_days.station_icao
            and settled.climate_date = climate_days.climate_date
),

final as (
    select
        joined.data_source,
        joined.market_ticker,
        joined.event_ticker,
        joined.series_ticker,
        joined.station_icao,
        joined.contract_type,
        joined.climate_date,
        joined.strike_type,
        joined.bracket_lower,
        joined.bracket_upper,
        joined.kalshi_result,
        joined.cli_value_f,
        joined.cli_product_id,
        case
            when joined.cli_value_f is null or joined.bracket_error is not null then null
            when
                {{ bracket_contains(
                    'joined.cli_value_f', 'joined.bracket_lower', 'joined.bracket_upper',
                ) }}
                then 'yes'
            else 'no'
        end as derived_result,
        joined.bracket_error,
        joined.ticker_error,
        joined.market_tier
    from joined
)

select
    final.*,
    final.derived_result is not null as has_derived_result,
    coalesce(final.derived_result <> final.kalshi_result, false) as results_disagree
from final
