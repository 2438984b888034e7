{#- Market calibration from prices alone: for price buckets x hours-to-close buckets, the realised
    YES frequency of settled markets with a Wilson interval. Each market contributes at most one
    observation per hours-to-close bucket (its last usable quote in that bucket), so markets with
    many quotes do not dominate. Grouping sets give per station x contract rows and pooled
    ('ALL') rows. -#}

{%- set hours_edges = var('gate_calibration_hours_edges', [0, 1, 3, 6, 12, 24, 48]) -%}
{%- set price_width = var('gate_calibration_price_bucket_width', 0.1) -%}
{%- set z = var('gate_ci_z', 1.96) -%}
{%- set max_spread = var('gate_calibration_max_spread_dollars', 0.1) -%}

with

quotes as (
    select * from {{ ref('int_market_quotes') }}
),

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

stations as (
    select * from {{ ref('stations') }}
),

settled_markets as (
    -- close_at, else (files without a close time) 23:59 local standard time of the climate date,
    -- when Kalshi's daily temperature markets close
    select
        markets.data_source,
        markets.market_ticker,
        markets.station_icao,
        markets.contract_type,
        markets.result,
        coalesce(
            markets.close_at,
            {{ fallback_close_at('markets.climate_date', 'stations.std_utc_offset_hours') }}
        ) as close_at
    from markets
    inner join stations
        on markets.station_icao = stations.icao
    where
        markets.result in ('yes', 'no')
        and markets.contract_type is not null
        and (markets.close_at is not null or markets.climate_date is not null)
),

price_bases as (
    select unnest(['yes_ask', 'yes_ask_tight', 'mid']) as price_basis
),

quote_prices as (
    select
        quotes.data_source,
        quotes.market_ticker,
        quotes.quoted_at,
        settled_markets.station_icao,
        settled_markets.contract_type,
        settled_markets.result,
        (epoch(settled_markets.close_at) - epoch(quotes.quoted_at)) / 3600.0 as hours_to_close,
        -- quotes are executable or null already (staging applies the no-quote rule)
        quotes.yes_ask_dollars,
        cast((quotes.yes_bid_dollars + quotes.yes_ask_dollars) / 2 as decimal(18, 5))
            as mid_dollars,
        quotes.yes_ask_dollars - quotes.yes_bid_dollars <= {{ max_spread }} as is_tight
    from quotes
    inner join settled_markets
        on
            quotes.data_source = settled_markets.data_source
            and quotes.market_ticker = settled_markets.market_ticker
    where quotes.quoted_at <= settled_markets.close_at
),

bucketed as (
    select
        quote_prices.data_source,
        quote_prices.market_ticker,
        quote_prices.quoted_at,
        quote_prices.station_icao,
        quote_prices.contract_type,
        quote_prices.result,
        case
            {%- for edge in hours_edges[1:] %}
                when quote_prices.hours_to_close < {{ edge }} then {{ hours_edges[loop.index0] }}
            {%- endfor %}
            else {{ hours_edges[-1] }}
        end as hours_to_close_min,
        case
            {%- for edge in hours_edges[1:] %}
                when quote_prices.hours_to_close < {{ edge }} then {{ edge }}
            {%- endfor %}
        end as hours_to_close_max,
        price_bases.price_basis,
        case price_bases.price_basis
            when 'yes_ask' then quote_prices.yes_ask_dollars
            when 'yes_ask_tight'
                then case when quote_prices.is_tight then quote_prices.yes_ask_dollars end
            else quote_prices.mid_dollars
        end as price_dollars
    from quote_prices
    cross join price_bases
),

one_per_market as (
    -- the last usable quote of each market in each hours-to-close bucket
    select
        data_source,
        market_ticker,
        station_icao,
        contract_type,
        result,
        price_basis,
        hours_to_close_min,
        hours_to_close_max,
        price_dollars,
        least(
            floor(round(price_dollars / {{ price_width }}, 6)), round(1 / {{ price_width }}) - 1
        ) * {{ price_width }} as price_bucket_low
    from bucketed
    where price_dollars is not null
    qualify row_number() over (
        partition by data_source, market_ticker, price_basis, hours_to_close_min
        order by quoted_at desc
    ) = 1
),

aggregated as (
        -- per station x contract, per contract over all stations, and over everything
    {%- for station_expr, contract_expr in [
        ('station_icao', 'contract_type'),
        ("'ALL'", 'contract_type'),
        ("'ALL'", "'ALL'"),
    ] %}
        select
            data_source,
            {{ station_expr }},
            {{ contract_expr }},
            price_basis,
            hours_to_close_min,
            price_bucket_low,
            any_value(hours_to_close_max) as hours_to_close_max,
            count(*) as market_count,
            count(*) filter (where result = 'yes') as yes_count,
            count(*) filter (where result = 'yes') / count(*) as realised_yes_rate,
            -- exact decimal sum: a float average is order-dependent and not reproducible
            sum(price_dollars) / count(*) as mean_price_dollars
        from one_per_market
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        price_basis,
        cast(hours_to_close_min as double) as hours_to_close_min,
        cast(hours_to_close_max as double) as hours_to_close_max,
        cast(price_bucket_low as decimal(18, 4)) as price_bucket_low_dollars,
        cast(price_bucket_low + {{ price_width }} as decimal(18, 4)) as price_bucket_high_dollars,
        cast(market_count as integer) as market_count,
        cast(yes_count as integer) as yes_count,
        cast(mean_price_dollars as decimal(18, 4)) as mean_price_dollars,
        realised_yes_rate,
        {{ wilson_bound('realised_yes_rate', 'market_count', z, 'low') }} as ci_low,
        {{ wilson_bound('realised_yes_rate', 'market_count', z, 'high') }} as ci_high,
        realised_yes_rate - cast(mean_price_dollars as double) as yes_rate_minus_price
    from aggregated
)

select * from final
