{#- One row per journaled order: its fills (contracts, cost, fees), how it settled and the
    trader's own realised P&L (payout - cost - fees, from the journal's settlement, the one home
    of that rule being domain.risk.order_pnl), next to the engine's EV at entry. -#}

with

orders as (
    select * from {{ ref('stg_trader__orders') }}
),

fills as (
    select * from {{ ref('stg_trader__fills') }}
),

settlements as (
    select * from {{ ref('stg_trader__settlements') }}
),

decisions as (
    select * from {{ ref('stg_trader__decisions') }}
),

order_fills as (
    select
        fills.data_source,
        fills.journal_id,
        fills.client_order_id,
        count(*) as fill_count,
        sum(fills.contract_count) as filled_contract_count,
        sum(fills.contract_count * fills.price_dollars) as cost_dollars,
        sum(fills.fee_dollars) as fee_dollars,
        min(fills.filled_at) as first_filled_at,
        max(fills.filled_at) as last_filled_at
    from fills
    group by fills.data_source, fills.journal_id, fills.client_order_id
),

final as (
    select
        orders.data_source,
        orders.journal_id,
        orders.client_order_id,
        orders.dedup_key,
        orders.decision_id,
        orders.venue_order_id,
        orders.broker,
        orders.station_icao,
        orders.contract_type,
        orders.climate_date,
        orders.market_ticker,
        orders.bracket_lower,
        orders.bracket_upper,
        orders.status,
        orders.status_reason,
        decisions.rule,
        decisions.verdict as entry_verdict,
        orders.ordered_count,
        orders.limit_price_dollars,
        coalesce(order_fills.fill_count, 0) as fill_count,
        cast(coalesce(order_fills.filled_contract_count, 0) as decimal(18, 2))
            as filled_contract_count,
        cast(coalesce(order_fills.cost_dollars, 0) as decimal(18, 4)) as cost_dollars,
        cast(coalesce(order_fills.fee_dollars, 0) as decimal(18, 4)) as fee_dollars,
        cast(
            order_fills.cost_dollars / nullif(order_fills.filled_contract_count, 0)
            as decimal(18, 4)
        ) as avg_fill_price_dollars,
        coalesce(order_fills.filled_contract_count, 0) > 0 as is_filled,
        settlements.client_order_id is not null as is_settled,
        settlements.market_result,
        case
            when settlements.market_result in ('yes', 'no')
                then settlements.market_result = 'yes'
        end as is_win,
        settlements.settled_value_f,
        settlements.is_extreme_disagreement,
        settlements.pnl_dollars,
        decisions.probability as entry_probability,
        decisions.expected_value_per_contract_dollars as entry_ev_per_contract_dollars,
        cast(
            decisions.expected_value_per_contract_dollars * order_fills.filled_contract_count
            as decimal(18, 4)
        ) as entry_expected_pnl_dollars,
        orders.created_at,
        order_fills.first_filled_at,
        order_fills.last_filled_at,
        settlements.settled_at,
        orders.updated_at
    from orders
    left join order_fills
        on
            orders.data_source = order_fills.data_source
            and orders.journal_id = order_fills.journal_id
            and orders.client_order_id = order_fills.client_order_id
    left join settlements
        on
            orders.data_source = settlements.data_source
            and orders.journal_id = settlements.journal_id
            and orders.client_order_id = settlements.client_order_id
    left join decisions
        on
            orders.data_source = decisions.data_source
            and orders.journal_id = decisions.journal_id
            and orders.decision_id = decisions.decision_id
)

select * from final
