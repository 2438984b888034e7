{{ config(materialized='table') }}

{#- The parameter search, vectorised: for every station x contract x candidate (rule, window
    start, buffer, minimum edge) and every climate day (train and test), the one trade the
    decision engine (domain.decision.decide, without the risk gate) would make: the first
    checkpoint at or after the window start at which the rule fires. One trade per station,
    contract and day, as the risk limits allow.

    design     (domain.decision._design): the only bracket of the open ladder holding the running
               extreme, fresh observation, headroom >= buffer (null = open tail: nothing to
               cross), executable ask < accuracy, accuracy - ask - fee / count >= min edge,
               where accuracy comes from int_thresholds_design_accuracy (train days only) and
               the tier gate drops candidates with accuracy < 0.80 (MIN_TIER_ACCURACY).
    fair_value (domain.decision._fair_value): among live (not already impossible) brackets with a
               model probability, an executable ask and a sizable order, the one with the largest
               p - ask - fee / count (ties: lowest ticker); trade if that is >= min edge. The
               buffer does not apply: fair_value candidates carry buffer_f = 0 only.

    Comparisons are exact: "EV >= min edge" is tested as (p - ask - min_edge) x count >= fee in
    decimals, and the fair-value ranking uses the EV in units of 1e-18 (hugeint), whose floor
    error (< 1e-18) is far below the smallest non-zero EV difference (> 1e-12). -#}

{%- set min_edges = var('thresholds_min_edges') -%}
{%- set rules = var('thresholds_rules') -%}
{%- set window_end = var('thresholds_window_end_minute') -%}

with

engine_inputs as (
    select * from {{ ref('int_thresholds_engine_inputs') }}
),

design_accuracy as (
    select * from {{ ref('int_thresholds_design_accuracy') }}
),

window_starts as (
    {{ thresholds_window_starts() }}
),

min_edges as (
    {{ thresholds_min_edges() }}
),

tradable as (
    -- gates common to both rules: inside the latest window end, a running extreme, a fresh
    -- observation, an executable ask and a sizable order
    select
        engine_inputs.data_source,
        engine_inputs.station_icao,
        engine_inputs.contract_type,
        engine_inputs.climate_date,
        engine_inputs.checkpoint_minute,
        engine_inputs.market_ticker,
        engine_inputs.sample_period,
        engine_inputs.contains_running_extreme,
        engine_inputs.holding_market_count,
        engine_inputs.headroom_f,
        engine_inputs.is_dead_bracket,
        engine_inputs.yes_ask_dollars,
        engine_inputs.model_probability,
        engine_inputs.contract_count,
        engine_inputs.fee_dollars
    from engine_inputs
    where
        engine_inputs.checkpoint_minute <= {{ window_end }}
        and engine_inputs.running_extreme_f is not null
        and engine_inputs.is_fresh_observation
        and engine_inputs.yes_ask_dollars is not null
        and engine_inputs.contract_count > 0
),

design_opportunities as (
    -- the holding bracket, checked against every window start x buffer whose train accuracy
    -- passes the tier gate and lies above the ask
    select
        tradable.data_source,
        tradable.station_icao,
        tradable.contract_type,
        design_accuracy.window_start_minute,
        design_accuracy.buffer_f,
        tradable.climate_date,
        tradable.checkpoint_minute,
        {%- for edge in min_edges %}
            (design_accuracy.accuracy - tradable.yes_ask_dollars - {{ edge }})
            * tradable.contract_count
            >= tradable.fee_dollars as passes_edge_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from tradable
    inner join design_accuracy
        on
            tradable.data_source = design_accuracy.data_source
            and tradable.station_icao = design_accuracy.station_icao
            and tradable.contract_type = design_accuracy.contract_type
            and tradable.checkpoint_minute >= design_accuracy.window_start_minute
            and (tradable.headroom_f is null or tradable.headroom_f >= design_accuracy.buffer_f)
            and tradable.yes_ask_dollars < design_accuracy.accuracy
    where
        tradable.contains_running_extreme
        and tradable.holding_market_count = 1
        and design_accuracy.accuracy >= 0.80
),

design_first as (
    select
        design_opportunities.data_source,
        design_opportunities.station_icao,
        design_opportunities.contract_type,
        design_opportunities.window_start_minute,
        design_opportunities.buffer_f,
        design_opportunities.climate_date,
        [
            {%- for edge in min_edges %}
                min(design_opportunities.checkpoint_minute) filter (
                    where design_opportunities.passes_edge_{{ loop.index }}
                )
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ] as first_minutes
    from design_opportunities
    group by all
),

design_trades as (
    select
        'design' as rule,  -- noqa: RF04
        design_first.data_source,
        design_first.station_icao,
        design_first.contract_type,
        design_first.window_start_minute,
        design_first.buffer_f,
        min_edges.min_edge,
        design_first.climate_date,
        design_first.first_minutes[min_edges.min_edge_index] as checkpoint_minute
    from design_first
    cross join min_edges
    where design_first.first_minutes[min_edges.min_edge_index] is not null
),

design_picked as (
    select
        design_trades.rule,
        design_trades.data_source,
        design_trades.station_icao,
        design_trades.contract_type,
        design_trades.window_start_minute,
        design_trades.buffer_f,
        design_trades.min_edge,
        design_trades.climate_date,
        design_trades.checkpoint_minute,
        tradable.market_ticker,
        design_accuracy.accuracy as probability
    from design_trades
    inner join tradable
        on
            design_trades.data_source = tradable.data_source
            and design_trades.station_icao = tradable.station_icao
            and design_trades.contract_type = tradable.contract_type
            and design_trades.climate_date = tradable.climate_date
            and design_trades.checkpoint_minute = tradable.checkpoint_minute
            and tradable.contains_running_extreme
            and tradable.holding_market_count = 1
    inner join design_accuracy
        on
            design_trades.data_source = design_accuracy.data_source
            and design_trades.station_icao = design_accuracy.station_icao
            and design_trades.contract_type = design_accuracy.contract_type
            and design_trades.window_start_minute = design_accuracy.window_start_minute
            and design_trades.buffer_f = design_accuracy.buffer_f
),

fair_value_best as (
    -- the bracket the fair-value rule would pick at each checkpoint
    select
        tradable.data_source,
        tradable.station_icao,
        tradable.contract_type,
        tradable.climate_date,
        tradable.checkpoint_minute,
        tradable.market_ticker,
        tradable.model_probability as probability,
        tradable.yes_ask_dollars,
        tradable.contract_count,
        tradable.fee_dollars
    from tradable
    where
        tradable.model_probability is not null
        and not tradable.is_dead_bracket
    qualify row_number() over (
        partition by
            tradable.data_source,
            tradable.station_icao,
            tradable.contract_type,
            tradable.climate_date,
            tradable.checkpoint_minute
        order by
            cast(round(tradable.model_probability * 1000000) as hugeint) * 1000000000000
            - cast(round(tradable.yes_ask_dollars * 10000) as hugeint) * 100000000000000
            - cast(round(tradable.fee_dollars * 100) as hugeint) * 10000000000000000
            // tradable.contract_count desc,
            tradable.market_ticker asc
    ) = 1
),

fair_value_first as (
    select
        fair_value_best.data_source,
        fair_value_best.station_icao,
        fair_value_best.contract_type,
        window_starts.window_start_minute,
        fair_value_best.climate_date,
        [
            {%- for edge in min_edges %}
                min(fair_value_best.checkpoint_minute) filter (
                    where
                    (
                        fair_value_best.probability
                        - fair_value_best.yes_ask_dollars
                        - {{ edge }}
                    )
                    * fair_value_best.contract_count
                    >= fair_value_best.fee_dollars
                )
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ] as first_minutes
    from fair_value_best
    inner join window_starts
        on fair_value_best.checkpoint_minute >= window_starts.window_start_minute
    group by all
),

fair_value_picked as (
    select
        'fair_value' as rule,  -- noqa: RF04
        fair_value_first.data_source,
        fair_value_first.station_icao,
        fair_value_first.contract_type,
        fair_value_first.window_start_minute,
        0 as buffer_f,
        min_edges.min_edge,
        fair_value_first.climate_date,
        fair_value_best.checkpoint_minute,
        fair_value_best.market_ticker,
        fair_value_best.probability
    from fair_value_first
    cross join min_edges
    inner join fair_value_best
        on
            fair_value_first.data_source = fair_value_best.data_source
            and fair_value_first.station_icao = fair_value_best.station_icao
            and fair_value_first.contract_type = fair_value_best.contract_type
            and fair_value_first.climate_date = fair_value_best.climate_date
            and fair_value_first.first_minutes[min_edges.min_edge_index]
            = fair_value_best.checkpoint_minute
),

picked as (
    select
        design_picked.rule,  -- noqa: RF04
        design_picked.data_source,
        design_picked.station_icao,
        design_picked.contract_type,
        design_picked.window_start_minute,
        cast(design_picked.buffer_f as integer) as buffer_f,
        design_picked.min_edge,
        design_picked.climate_date,
        design_picked.checkpoint_minute,
        design_picked.market_ticker,
        cast(design_picked.probability as decimal(18, 6)) as probability
    from design_picked
    union all
    select
        fair_value_picked.rule,  -- noqa: RF04
        fair_value_picked.data_source,
        fair_value_picked.station_icao,
        fair_value_picked.contract_type,
        fair_value_picked.window_start_minute,
        cast(fair_value_picked.buffer_f as integer) as buffer_f,
        fair_value_picked.min_edge,
        fair_value_picked.climate_date,
        fair_value_picked.checkpoint_minute,
        fair_value_picked.market_ticker,
        cast(fair_value_picked.probability as decimal(18, 6)) as probability
    from fair_value_picked
),

settled as (
    select
        picked.data_source,
        picked.station_icao,
        picked.contract_type,
        picked.rule,
        picked.window_start_minute,
        picked.buffer_f,
        picked.min_edge,
        picked.climate_date,
        engine_inputs.sample_period,
        picked.checkpoint_minute,
        engine_inputs.checkpoint_at,
        picked.market_ticker,
        engine_inputs.running_extreme_f,
        engine_inputs.observation_age_minutes,
        engine_inputs.headroom_f,
        picked.probability,
        engine_inputs.yes_ask_dollars,
        engine_inputs.contract_count,
        engine_inputs.fee_dollars,
        engine_inputs.cost_dollars,
        engine_inputs.result,
        engine_inputs.result = 'yes' as is_win
    from picked
    inner join engine_inputs
        on
            picked.data_source = engine_inputs.data_source
            and picked.station_icao = engine_inputs.station_icao
            and picked.contract_type = engine_inputs.contract_type
            and picked.climate_date = engine_inputs.climate_date
            and picked.checkpoint_minute = engine_inputs.checkpoint_minute
            and picked.market_ticker = engine_inputs.market_ticker
    where picked.rule in ({{ "'" ~ rules | join("', '") ~ "'" }})
),

final as (
    select
        * exclude (result, is_win),
        -- expected value per contract at entry, after the fee (as the engine computes it)
        cast(
            cast(probability as double)
            - cast(yes_ask_dollars as double)
            - cast(fee_dollars as double) / contract_count
            as decimal(18, 6)
        ) as expected_value_per_contract,
        result,
        is_win,
        -- domain.risk.order_pnl: count x (1 - price) - fee if won, -(count x price) - fee
        cast(
            case
                when is_win then contract_count * (1 - yes_ask_dollars) - fee_dollars
                else -(contract_count * yes_ask_dollars) - fee_dollars
            end
            as decimal(18, 2)
        ) as pnl_dollars,
        (
            case when is_win then 1.0 else 0.0 end
            - cast(yes_ask_dollars as double)
            - cast(fee_dollars as double) / contract_count
        ) as pnl_per_contract_dollars
    from settled
)

-- final takes settled.* (its columns are listed in _int_thresholds__models.yml)
select * from final  -- noqa: AM04
