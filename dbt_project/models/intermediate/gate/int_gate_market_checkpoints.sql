{{ config(materialized='table') }}

{#- One row per market (bracket) x checkpoint while the market is open: the model probability
    of the bracket given the running extreme, the executable YES ask as of the checkpoint
    (ASOF join: last quote with quoted_at <= checkpoint_at, not older than the staleness limit;
    no ask = no trade), the taker fee, the expected value and the realised P&L per contract. -#}

{%- set stake_min = var('gate_stake_min_dollars') -%}
{%- set stake_max = var('gate_stake_max_dollars') -%}
{%- set max_quote_age = var('gate_quote_max_age_minutes') -%}
{%- set fit_period = var('gate_probability_fit_period') -%}
{#- 'empirical': the bracket probability from the delta pmf (below); 'catboost': the delta
    model's prediction for the market and checkpoint (models_ml predict, var probability_model),
    null where it has none. The ref is taken only then, so the default build never reads it. -#}
{%- set probability_source = var('probability_source', 'empirical') -%}
{%- if probability_source not in ('empirical', 'catboost') -%}
    {{ exceptions.raise_compiler_error(
        "var probability_source must be 'empirical' or 'catboost', not " ~ probability_source
    ) }}
{%- endif -%}
{%- set use_catboost = probability_source == 'catboost' -%}
{%- set probability_model = var('probability_model', 'catboost_ordinal') -%}

with

contract_checkpoints as (
    select * from {{ ref('int_gate_contract_checkpoints') }}
),

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

stations as (
    select * from {{ ref('stations') }}
),

quotes as (
    select * from {{ ref('int_market_quotes') }}
),

delta_pmf as (
    select * from {{ ref('int_extreme_delta_pmf') }}
),
{%- if use_catboost %}

predictions as (
    select * from {{ ref('stg_ml__predictions') }}
),

model_predictions as (
    select
        data_source,
        market_ticker,
        checkpoint_minute,
        probability
    from predictions
    where model_name = '{{ probability_model }}'
),
{%- endif %}

quoted_markets as (
    -- markets with at least one quote: a market never quoted can never be traded
    select distinct
        data_source,
        market_ticker
    from quotes
),

ladder_markets as (
    select
        markets.data_source,
        markets.station_icao,
        markets.contract_type,
        markets.climate_date,
        markets.market_ticker,
        markets.bracket_lower,
        markets.bracket_upper,
        markets.result,
        markets.open_at,
        -- files without a close time: 23:59 local standard time of the climate date
        coalesce(
            markets.close_at,
            {{ fallback_close_at('markets.climate_date', 'stations.std_utc_offset_hours') }}
        ) as close_at,
        coalesce(markets.fee_type, 'quadratic') as fee_type,
        coalesce(try_cast(markets.fee_multiplier as decimal(18, 6)), 1) as fee_multiplier
    from markets
    inner join quoted_markets
        on
            markets.data_source = quoted_markets.data_source
            and markets.market_ticker = quoted_markets.market_ticker
    inner join stations
        on markets.station_icao = stations.icao
    where
        markets.ticker_error is null
        and markets.bracket_error is null
        and markets.climate_date is not null
        and markets.contract_type in ('HIGH', 'LOW')
        and (markets.bracket_lower is not null or markets.bracket_upper is not null)
),

quotes_deduplicated as (
    -- one quote per market and instant; the most direct source wins a tie
    select
        data_source,
        market_ticker,
        quoted_at,
        quote_source,
        yes_bid_dollars,
        yes_ask_dollars
    from quotes
    qualify row_number() over (
        partition by data_source, market_ticker, quoted_at
        order by
            case quote_source
                when 'orderbook' then 1
                when 'candle_1m' then 2
                when 'candle_60m' then 3
                else 4
            end,
            quote_source
    ) = 1
),

market_checkpoints as (
    select
        ladder_markets.data_source,
        ladder_markets.market_ticker,
        contract_checkpoints.checkpoint_minute,
        ladder_markets.station_icao,
        ladder_markets.contract_type,
        ladder_markets.climate_date,
        contract_checkpoints.checkpoint_at,
        contract_checkpoints.season,
        contract_checkpoints.sample_period,
        contract_checkpoints.running_extreme_f,
        contract_checkpoints.observation_age_minutes,
        contract_checkpoints.running_bracket_headroom_f,
        contract_checkpoints.is_running_bracket_open_ended,
        contract_checkpoints.running_bracket_market_ticker = ladder_markets.market_ticker
            as is_running_bracket,
        ladder_markets.bracket_lower,
        ladder_markets.bracket_upper,
        ladder_markets.result,
        ladder_markets.close_at,
        ladder_markets.fee_type,
        ladder_markets.fee_multiplier,
        -- F(x) = P(delta <= x); P(bracket) = F(upper - r) - F(lower - 1 - r)
        ladder_markets.bracket_upper - contract_checkpoints.running_extreme_f as delta_upper_f,
        ladder_markets.bracket_lower - 1 - contract_checkpoints.running_extreme_f
            as delta_below_f
    from ladder_markets
    inner join contract_checkpoints
        on
            ladder_markets.data_source = contract_checkpoints.data_source
            and ladder_markets.station_icao = contract_checkpoints.station_icao
            and ladder_markets.contract_type = contract_checkpoints.contract_type
            and ladder_markets.climate_date = contract_checkpoints.climate_date
    where
        contract_checkpoints.checkpoint_at < ladder_markets.close_at
        and (
            ladder_markets.open_at is null
            or contract_checkpoints.checkpoint_at >= ladder_markets.open_at
        )
),

pmf_fit as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        delta_f,
        smoothed_probability,
        probability_basis
    from delta_pmf
    where
        fit_period = '{{ fit_period }}'
        and smoothed_probability is not null
),

pmf_bounds as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        min(delta_f) as min_delta_f,
        max(delta_f) as max_delta_f,
        any_value(probability_basis) as probability_basis
    from pmf_fit
    group by all
),

cdf_grid as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        season,
        cast(unnest(generate_series(min_delta_f, max_delta_f)) as integer) as delta_f
    from pmf_bounds
),

cdf_dense as (
    -- F(x) on every whole x between the support's ends (gaps in the support carry forward)
    select
        cdf_grid.data_source,
        cdf_grid.station_icao,
        cdf_grid.contract_type,
        cdf_grid.checkpoint_minute,
        cdf_grid.season,
        cdf_grid.delta_f,
        sum(coalesce(pmf_fit.smoothed_probability, 0)) over (
            partition by
                cdf_grid.data_source,
                cdf_grid.station_icao,
                cdf_grid.contract_type,
                cdf_grid.checkpoint_minute,
                cdf_grid.season
            order by cdf_grid.delta_f
            rows between unbounded preceding and current row
        ) as cumulative_probability
    from cdf_grid
    left join pmf_fit
        on
            cdf_grid.data_source = pmf_fit.data_source
            and cdf_grid.station_icao = pmf_fit.station_icao
            and cdf_grid.contract_type = pmf_fit.contract_type
            and cdf_grid.checkpoint_minute = pmf_fit.checkpoint_minute
            and cdf_grid.season = pmf_fit.season
            and cdf_grid.delta_f = pmf_fit.delta_f
),

{{ 'with_pmf_probability' if use_catboost else 'with_probability' }} as (
    select
        -- exclude / replace name columns of market_checkpoints (sqlfluff reads them as refs)
        market_checkpoints.* exclude (delta_upper_f, delta_below_f)  -- noqa: RF02
        replace (coalesce(market_checkpoints.is_running_bracket, false) as is_running_bracket),
        pmf_bounds.probability_basis,
        case
            when pmf_bounds.min_delta_f is null then null
            else
                (
                    case
                        when market_checkpoints.delta_upper_f is null then 1.0
                        when market_checkpoints.delta_upper_f < pmf_bounds.min_delta_f then 0.0
                        when market_checkpoints.delta_upper_f >= pmf_bounds.max_delta_f then 1.0
                        else cdf_upper.cumulative_probability
                    end
                )
                - (
                    case
                        when market_checkpoints.delta_below_f is null then 0.0
                        when market_checkpoints.delta_below_f < pmf_bounds.min_delta_f then 0.0
                        when market_checkpoints.delta_below_f >= pmf_bounds.max_delta_f then 1.0
                        else cdf_below.cumulative_probability
                    end
                )
        end as model_probability
    from market_checkpoints
    left join pmf_bounds
        on
            market_checkpoints.data_source = pmf_bounds.data_source
            and market_checkpoints.station_icao = pmf_bounds.station_icao
            and market_checkpoints.contract_type = pmf_bounds.contract_type
            and market_checkpoints.checkpoint_minute = pmf_bounds.checkpoint_minute
            and market_checkpoints.season = pmf_bounds.season
    left join cdf_dense as cdf_upper
        on
            market_checkpoints.data_source = cdf_upper.data_source
            and market_checkpoints.station_icao = cdf_upper.station_icao
            and market_checkpoints.contract_type = cdf_upper.contract_type
            and market_checkpoints.checkpoint_minute = cdf_upper.checkpoint_minute
            and market_checkpoints.season = cdf_upper.season
            and market_checkpoints.delta_upper_f = cdf_upper.delta_f
    left join cdf_dense as cdf_below
        on
            market_checkpoints.data_source = cdf_below.data_source
            and market_checkpoints.station_icao = cdf_below.station_icao
            and market_checkpoints.contract_type = cdf_below.contract_type
            and market_checkpoints.checkpoint_minute = cdf_below.checkpoint_minute
            and market_checkpoints.season = cdf_below.season
            and market_checkpoints.delta_below_f = cdf_below.delta_f
),

{%- if use_catboost %}

with_probability as (
    -- the model's probability replaces the pmf's (no fallback: no prediction, no trade)
    select
        with_pmf_probability.* replace (
            '{{ probability_model }}' as probability_basis,
            cast(model_predictions.probability as double) as model_probability
        )
    from with_pmf_probability
    left join model_predictions
        on
            with_pmf_probability.data_source = model_predictions.data_source
            and with_pmf_probability.market_ticker = model_predictions.market_ticker
            and with_pmf_probability.checkpoint_minute = model_predictions.checkpoint_minute
),
{%- endif %}

with_quote as (
    -- the last quote at or before the checkpoint; its ask is executable (staging keeps only
    -- asks inside (0, 1)) while fresh, never mid or last
    select
        with_probability.*,
        quotes_deduplicated.quoted_at,
        quotes_deduplicated.quote_source,
        (epoch(with_probability.checkpoint_at) - epoch(quotes_deduplicated.quoted_at)) / 60.0
            as quote_age_minutes,
        quotes_deduplicated.yes_bid_dollars,
        case
            when quote_age_minutes <= {{ max_quote_age }} then quotes_deduplicated.yes_ask_dollars
        end as executable_yes_ask_dollars,
        executable_yes_ask_dollars is not null as has_executable_ask
    from with_probability
    asof left join quotes_deduplicated
        on
            with_probability.data_source = quotes_deduplicated.data_source
            and with_probability.market_ticker = quotes_deduplicated.market_ticker
            and with_probability.checkpoint_at >= quotes_deduplicated.quoted_at
),

sized as (
    -- the order as the decision engine sizes it (domain.sizing.size_order) and its taker fee
    select
        with_quote.*,
        {{ size_order('with_quote.executable_yes_ask_dollars', stake_min, stake_max) }}
            as order_contract_count,
        -- the fee of that order, reusing the size computed just above (lateral alias)
        case
            when order_contract_count > 0
                then {{ kalshi_fee(
                    'order_contract_count',
                    'with_quote.executable_yes_ask_dollars',
                    "'taker'",
                    'with_quote.fee_type',
                    'with_quote.fee_multiplier',
                ) }}
        end as order_fee_dollars
    from with_quote
),

final as (
    select
        sized.* exclude (fee_type, fee_multiplier),  -- noqa: RF03
        cast(sized.order_fee_dollars / sized.order_contract_count as decimal(18, 4))
            as fee_per_contract_dollars,
        -- expected value per contract after the fee: p - ask - fee / count
        cast(
            sized.model_probability
            - sized.executable_yes_ask_dollars
            - sized.order_fee_dollars / sized.order_contract_count
            as decimal(18, 4)
        ) as edge_dollars,
        cast(
            case sized.result when 'yes' then 1 when 'no' then 0 end
            - sized.executable_yes_ask_dollars
            - sized.order_fee_dollars / sized.order_contract_count
            as decimal(18, 4)
        ) as realised_pnl_dollars
    from sized
)

-- final takes sized.* (its columns are listed in _int_gate__models.yml)
select * from final  -- noqa: AM04
