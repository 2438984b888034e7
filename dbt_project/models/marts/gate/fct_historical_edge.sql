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
        has_executable_ask
        and model_probability is not null
        and result in ('yes', 'no')
),

best_edge as (
    select
        'best_edge' as strategy,
        data_source,
        station_icao,
        contract_type,
        climate_date,
        checkpoint_minute,
        sample_period,
        model_probability,
        executable_yes_ask_dollars,
        fee_per_contract_dollars,
        edge_dollars,
        realised_pnl_dollars,
        is_win
    from tradable
    qualify row_number() over (
        partition by data_source, station_icao, contract_type, climate_date, checkpoint_minute
        order by edge_dollars desc, market_ticker asc
    ) = 1
),

running_bracket as (
    select
        'running_bracket' as strategy,
        data_source,
        station_icao,
        contract_type,
        climate_date,
        checkpoint_minute,
        sample_period,
        model_probability,
        executable_yes_ask_dollars,
        fee_per_contract_dollars,
        edge_dollars,
        realised_pnl_dollars,
        is_win
    from tradable
    where is_running_bracket
),

candidates as (
    select * from best_edge
    union all
    select * from running_bracket
),

with_periods as (
    select
        candidates.strategy,
        candidates.data_source,
        candidates.station_icao,
        candidates.contract_type,
        candidates.checkpoint_minute,
        period_rows.sample_period,
        candidates.climate_date,
        candidates.model_probability,
        candidates.executable_yes_ask_dollars,
        candidates.fee_per_contract_dollars,
        candidates.edge_dollars,
        candidates.realised_pnl_dollars,
        candidates.is_win,
        candidates.edge_dollars >= {{ min_edge }} as is_trade
    from candidates
    cross join unnest([candidates.sample_period, 'all']) as period_rows (sample_period)
),

aggregated as (
    select
        data_source,
        station_icao,
        contract_type,
        checkpoint_minute,
        sample_period,
        strategy,
        count(distinct climate_date) as quoted_day_count,
        count(*) filter (where is_trade) as trade_count,
        count(*) filter (where is_trade and is_win) as win_count,
        avg(edge_dollars) filter (where is_trade) as edge_dollars,
        avg(model_probability) filter (where is_trade) as mean_model_probability,
        avg(executable_yes_ask_dollars) filter (where is_trade) as mean_yes_ask_dollars,
        avg(fee_per_contract_dollars) filter (where is_trade) as mean_fee_per_contract_dollars,
        avg(realised_pnl_dollars) filter (where is_trade) as mean_realised_pnl_dollars,
        stddev_samp(realised_pnl_dollars) filter (where is_trade) as realised_pnl_sd_dollars,
        coalesce(sum(realised_pnl_dollars) filter (where is_trade), 0)
            as total_realised_pnl_dollars,
        case
            when count(*) filter (where is_trade) > 0
                then count(*) filter (where is_trade and is_win) / count(*) filter (where is_trade)
        end as win_rate
    from with_periods
    group by all
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
        cast(total_realised_pnl_dollars as decimal(18, 2)) as total_realised_pnl_dollars,
        win_rate,
        case
            when trade_count > 0 then
                round(
                    (
                        win_rate + {{ z * z }} / (2 * trade_count)
                        - {{ z }} * sqrt(
                            win_rate * (1 - win_rate) / trade_count
                            + {{ z * z }} / (4 * trade_count * trade_count)
                        )
                    ) / (1 + {{ z * z }} / trade_count),
                    6
                )
        end as win_rate_ci_low,
        case
            when trade_count > 0 then
                round(
                    (
                        win_rate + {{ z * z }} / (2 * trade_count)
                        + {{ z }} * sqrt(
                            win_rate * (1 - win_rate) / trade_count
                            + {{ z * z }} / (4 * trade_count * trade_count)
                        )
                    ) / (1 + {{ z * z }} / trade_count),
                    6
                )
        end as win_rate_ci_high
    from aggregated
)

select * from final
