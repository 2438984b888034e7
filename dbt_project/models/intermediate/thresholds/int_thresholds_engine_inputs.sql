{{ config(materialized='table') }}

{#- The decision engine's inputs, one row per market (bracket) x checkpoint, typed exactly as
    domain.decision receives them, so the SQL search and the Python replay (fct_backtest_trades)
    read the same numbers: asks and bids decimal(18, 4), the model probability decimal(18, 6)
    clamped to [0, 1], the observation age decimal(18, 4). Only checkpoints at or after the
    earliest candidate window start, and only station x contract x days with a settled ladder
    (exactly one YES), are kept: any other day cannot be scored.
    The order size and fee are the gate's (int_gate_market_checkpoints sizes with the size_order
    macro, the twin of domain.sizing.size_order, and prices with kalshi_fee): one sizing rule. -#}

{%- set starts = var('thresholds_window_starts') -%}
{%- set max_obs_age = var('gate_max_obs_age_minutes') -%}

with

market_checkpoints as (
    select * from {{ ref('int_gate_market_checkpoints') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
),

markets as (
    select * from {{ ref('int_markets_enriched') }}
),

settled_days as (
    select
        contract_days.data_source,
        contract_days.station_icao,
        contract_days.contract_type,
        contract_days.climate_date,
        contract_days.sample_period,
        contract_days.yes_market_ticker
    from contract_days
    where contract_days.has_settled_ladder
),

typed as (
    select
        market_checkpoints.data_source,
        market_checkpoints.station_icao,
        market_checkpoints.contract_type,
        market_checkpoints.climate_date,
        cast(market_checkpoints.checkpoint_minute as integer) as checkpoint_minute,
        market_checkpoints.market_ticker,
        market_checkpoints.checkpoint_at,
        settled_days.sample_period,
        cast(market_checkpoints.running_extreme_f as integer) as running_extreme_f,
        cast(market_checkpoints.observation_age_minutes as decimal(18, 4))
            as observation_age_minutes,
        cast(market_checkpoints.bracket_lower as integer) as bracket_lower,
        cast(market_checkpoints.bracket_upper as integer) as bracket_upper,
        -- quotes are executable already (staging applies the no-quote rule)
        cast(market_checkpoints.yes_bid_dollars as decimal(18, 4)) as yes_bid_dollars,
        cast(market_checkpoints.executable_yes_ask_dollars as decimal(18, 4)) as yes_ask_dollars,
        cast(
            least(greatest(market_checkpoints.model_probability, 0), 1) as decimal(18, 6)
        ) as model_probability,
        coalesce(markets.fee_type, 'quadratic') as fee_type,
        cast(coalesce(markets.fee_multiplier, 1) as decimal(18, 6)) as fee_multiplier,
        market_checkpoints.result,
        market_checkpoints.market_ticker = settled_days.yes_market_ticker as is_yes_market,
        market_checkpoints.order_contract_count as contract_count,
        market_checkpoints.order_fee_dollars as fee_dollars,
        coalesce(markets.settled_at, markets.close_at, market_checkpoints.close_at)
            as settled_at
    from market_checkpoints
    inner join settled_days
        on
            market_checkpoints.data_source = settled_days.data_source
            and market_checkpoints.station_icao = settled_days.station_icao
            and market_checkpoints.contract_type = settled_days.contract_type
            and market_checkpoints.climate_date = settled_days.climate_date
    left join markets
        on
            market_checkpoints.data_source = markets.data_source
            and market_checkpoints.market_ticker = markets.market_ticker
    where market_checkpoints.checkpoint_minute >= {{ starts | min }}
),

final as (
    select
        typed.data_source,
        typed.station_icao,
        typed.contract_type,
        typed.climate_date,
        typed.checkpoint_minute,
        typed.market_ticker,
        typed.checkpoint_at,
        typed.sample_period,
        typed.running_extreme_f,
        typed.observation_age_minutes,
        coalesce(typed.observation_age_minutes <= {{ max_obs_age }}, false)
            as is_fresh_observation,
        typed.bracket_lower,
        typed.bracket_upper,
        coalesce(
            {{ bracket_contains(
                'typed.running_extreme_f', 'typed.bracket_lower', 'typed.bracket_upper'
            ) }},
            false
        ) as contains_running_extreme,
        count(*) filter (
            where {{ bracket_contains(
                'typed.running_extreme_f', 'typed.bracket_lower', 'typed.bracket_upper'
            ) }}
        ) over (
            partition by
                typed.data_source,
                typed.station_icao,
                typed.contract_type,
                typed.climate_date,
                typed.checkpoint_minute
        ) as holding_market_count,
        {{ bracket_headroom(
            'typed.contract_type',
            'typed.running_extreme_f',
            'typed.bracket_lower',
            'typed.bracket_upper',
        ) }} as headroom_f,
        coalesce(
            case typed.contract_type
                when 'HIGH' then typed.bracket_upper < typed.running_extreme_f
                else typed.bracket_lower > typed.running_extreme_f
            end,
            false
        ) as is_dead_bracket,
        typed.yes_bid_dollars,
        typed.yes_ask_dollars,
        typed.model_probability,
        typed.fee_type,
        typed.fee_multiplier,
        typed.contract_count,
        typed.fee_dollars,
        case
            when typed.contract_count > 0
                then cast(typed.contract_count * typed.yes_ask_dollars as decimal(18, 2))
        end as cost_dollars,
        typed.result,
        typed.is_yes_market,
        typed.settled_at
    from typed
)

select * from final
