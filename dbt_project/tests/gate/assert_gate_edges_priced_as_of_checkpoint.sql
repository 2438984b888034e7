-- No price from the future: every quote used at a checkpoint was quoted at or before it, is not
-- staler than the limit, and probabilities are probabilities.
with

market_checkpoints as (
    select * from {{ ref('int_gate_market_checkpoints') }}
)

select
    data_source,
    market_ticker,
    checkpoint_minute,
    checkpoint_at,
    quoted_at,
    quote_age_minutes,
    model_probability
from market_checkpoints
where
    quoted_at > checkpoint_at
    or checkpoint_at >= close_at
    or (
        executable_yes_ask_dollars is not null
        and quote_age_minutes > {{ var('gate_quote_max_age_minutes', 60) }}
    )
    or model_probability < -1e-9
    or model_probability > 1 + 1e-9
