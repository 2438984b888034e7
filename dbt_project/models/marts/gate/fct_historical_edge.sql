{#- Historical edge per station x contract x checkpoint (the trading window) x sample period x
    strategy. At each checkpoint of each day at most one trade: 'best_edge' buys the bracket with
    the largest expected value, 'running_bracket' buys the bracket holding the running extreme;
    either only when its expected value per contract >= gate_min_edge_dollars and an executable
    ask exists. Realised P&L from Kalshi's result. CIs: normal approximation for the mean P&L,
    Wilson for the win rate. -#}

{%- set min_edge = var('gate_min_edge_dollars', 0.02) -%}
{%- set z = var('gate_ci_z', 1.96) -%}

with

market_checkpoints as (
    select * from {{ ref('int_gate_market_checkpoints') }}
),

tradable as (
    select
        data_source,
        station_icao,
        contract_type,
        climate_date,
        checkpoint_minute,
        sample_period,
        market_ticker,
        is_running_bracket,
        model_probability,
        executable_yes_ask_dollars,
        fee_per_contract_dollars,
        edge_dollars,
        realised_pnl_dollars,
        result = 'yes' as is_win
    from market_checkpoints
    where
        -- an executable ask and an order: one too small for gate_stake_min_dollars is no trade
        -- (size_order gives 0)
        order_contract_count > 0
        and model_probability is not null
        and result in ('yes', 'no')
),

best_edge as (
    select
        'best_edge' as strategy,
        * exclude (market_ticker, is_running_bracket)
    from tradable
    qualify row_number() over (
        partition by data_source, station_icao, contract_type, climate_date, checkpoint_minute
        order by edge_dollars desc, market_ticker asc
    ) = 1
),

running_bracket as (
    select
        'running_bracket' as strategy,
        * exclude (market_ticker, is_running_bracket)
    from tradable
    where is_running_bracket
),

candidates as (
    select * from best_edge
    union all
    select * from running_bracket
),

period_sums as (
    -- exact decimal sums (reproducible, unlike float averages); one candidate per day, so
    -- count(*) counts days
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        sample_period,
        strategy,
        count(*) as quoted_day_count,
        count(*) filter (where edge_dollars >= {{ min_edge }}) as trade_count,
        count(*) filter (where edge_dollars >= {{ min_edge }} and is_win) as win_count,
        sum(edge_dollars) filter (where edge_dollars >= {{ min_edge }}) as edge_sum,
        -- summed as an exact decimal: a parallel sum of doubles differs in the last bits between
        -- builds, and the mart must be reproducible
        sum(cast(model_probability as decimal(38, 15))) filter (
            where edge_dollars >= {{ min_edge }}
        ) as model_probability_sum,
        sum(executable_yes_ask_dollars) filter (
            where edge_dollars >= {{ min_edge }}
        ) as yes_ask_sum,
        sum(fee_per_contract_dollars) filter (
            where edge_dollars >= {{ min_edge }}
        ) as fee_sum,
        sum(realised_pnl_dollars) filter (where edge_dollars >= {{ min_edge }}) as pnl_sum,
        sum(realised_pnl_dollars * realised_pnl_dollars) filter (
            where edge_dollars >= {{ min_edge }}
        ) as pnl_square_sum
    from candidates
    group by all
),

all_period_sums as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        'all' as sample_period,
        strategy,
        sum(quoted_day_count) as quoted_day_count,
        sum(trade_count) as trade_count,
        sum(win_count) as win_count,
        sum(edge_sum) as edge_sum,
        sum(model_probability_sum) as model_probability_sum,
        sum(yes_ask_sum) as yes_ask_sum,
        sum(fee_sum) as fee_sum,
        sum(pnl_sum) as pnl_sum,
        sum(pnl_square_sum) as pnl_square_sum
    from period_sums
    group by all
),

sums as (
    select * from period_sums
    union all
    select * from all_period_sums
),

aggregated as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        sample_period,
        strategy,
        quoted_day_count,
        trade_count,
        win_count,
        case when trade_count > 0 then edge_sum / trade_count end as edge_dollars,
        case
            when trade_count > 0 then cast(model_probability_sum / trade_count as double)
        end as mean_model_probability,
        case when trade_count > 0 then yes_ask_sum / trade_count end as mean_yes_ask_dollars,
        case
            when trade_count > 0 then fee_sum / trade_count
        end as mean_fee_per_contract_dollars,
        case when trade_count > 0 then pnl_sum / trade_count end as mean_realised_pnl_dollars,
        case
            when trade_count > 1
                then sqrt(
                    greatest(
                        cast(pnl_square_sum - pnl_sum * pnl_sum / trade_count as double), 0
                    )
                    / (trade_count - 1)
                )
        end as realised_pnl_sd_dollars,
        coalesce(pnl_sum, 0) as total_realised_pnl_dollars,
        case when trade_count > 0 then win_count / trade_count end as win_rate
    from sums
),

final as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        sample_period,
        strategy,
        cast(quoted_day_count as integer) as quoted_day_count,
        cast(trade_count as integer) as trade_count,
        cast(win_count as integer) as win_count,
        cast(edge_dollars as decimal(18, 4)) as edge_dollars,
        mean_model_probability,
        cast(mean_yes_ask_dollars as decimal(18, 4)) as mean_yes_ask_dollars,
        cast(mean_fee_per_contract_dollars as decimal(18, 4)) as mean_fee_per_contract_dollars,
        cast(mean_realised_pnl_dollars as decimal(18, 4)) as mean_realised_pnl_dollars,
        cast(
            mean_realised_pnl_dollars - {{ z }} * realised_pnl_sd_dollars / sqrt(trade_count)
            as decimal(18, 4)
        ) as realised_pnl_ci_low_dollars,
        cast(
            mean_realised_pnl_dollars + {{ z }} * realised_pnl_sd_dollars / sqrt(trade_count)
            as decimal(18, 4)
        ) as realised_pnl_ci_high_dollars,
        cast(total_realised_pnl_dollars as decimal(18, 4)) as total_realised_pnl_dollars,
        win_rate,
        {{ wilson_bound('win_rate', 'trade_count', z, 'low') }} as win_rate_ci_low,
        {{ wilson_bound('win_rate', 'trade_count', z, 'high') }} as win_rate_ci_high
    from aggregated
)

select * from final
