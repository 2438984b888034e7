{{ config(materialized='table') }}

{#- Historical accuracy of the design rule's signal, TRAIN climate dates only (no test leakage),
    per station x contract x candidate window start x buffer: on each train day with a settled
    ladder, take the first checkpoint at or after the window start (and at most the window end)
    where the running extreme is known, the observation is fresh, a bracket of the ladder holds
    the running extreme and its directional headroom (bracket_headroom; null = open tail) is at
    least the buffer; accuracy = share of those days on which that bracket settled YES.
    The first signal of the day is the earliest, least settled moment the rule can act on, so
    this is a conservative estimate of the hit rate of the trades actually taken (which may come
    later in the day, once the price condition holds too). Vectorised: each qualifying
    checkpoint is the first signal for the window starts in (previous qualifying checkpoint, own
    checkpoint], so no candidate x checkpoint cross join is needed. -#}

{%- set starts = var('thresholds_window_starts') -%}
{%- set window_end = var('thresholds_window_end_minute') -%}
{%- set max_obs_age = var('gate_max_obs_age_minutes') -%}

with

contract_checkpoints as (
    select * from {{ ref('int_gate_contract_checkpoints') }}
),

window_starts as (
    {{ thresholds_window_starts() }}
),

buffers as (
    {{ thresholds_buffers() }}
),

train_checkpoints as (
    select
        contract_checkpoints.data_source,
        contract_checkpoints.station_icao,
        contract_checkpoints.contract_type,
        contract_checkpoints.climate_date,
        cast(contract_checkpoints.checkpoint_minute as integer) as checkpoint_minute,
        contract_checkpoints.running_bracket_headroom_f as headroom_f,
        coalesce(contract_checkpoints.is_running_bracket_yes, false) as is_hit
    from contract_checkpoints
    where
        contract_checkpoints.sample_period = 'train'
        and contract_checkpoints.has_settled_ladder
        and contract_checkpoints.running_extreme_f is not null
        and contract_checkpoints.running_bracket_market_ticker is not null
        and cast(contract_checkpoints.observation_age_minutes as decimal(18, 4))
        <= {{ max_obs_age }}
        and contract_checkpoints.checkpoint_minute >= {{ starts | min }}
        and contract_checkpoints.checkpoint_minute <= {{ window_end }}
),

signals as (
    select
        train_checkpoints.data_source,
        train_checkpoints.station_icao,
        train_checkpoints.contract_type,
        train_checkpoints.climate_date,
        train_checkpoints.checkpoint_minute,
        buffers.buffer_f,
        train_checkpoints.is_hit,
        coalesce(
            lag(train_checkpoints.checkpoint_minute) over (
                partition by
                    train_checkpoints.data_source,
                    train_checkpoints.station_icao,
                    train_checkpoints.contract_type,
                    train_checkpoints.climate_date,
                    buffers.buffer_f
                order by train_checkpoints.checkpoint_minute
            ),
            -1
        ) as previous_checkpoint_minute
    from train_checkpoints
    inner join buffers
        on
            train_checkpoints.headroom_f is null
            or train_checkpoints.headroom_f >= buffers.buffer_f
),

first_signals as (
    select
        signals.data_source,
        signals.station_icao,
        signals.contract_type,
        window_starts.window_start_minute,
        signals.buffer_f,
        signals.climate_date,
        signals.is_hit
    from signals
    inner join window_starts
        on
            signals.previous_checkpoint_minute < window_starts.window_start_minute
            and signals.checkpoint_minute >= window_starts.window_start_minute
),

counts as (
    select
        first_signals.data_source,
        first_signals.station_icao,
        first_signals.contract_type,
        first_signals.window_start_minute,
        first_signals.buffer_f,
        count(*) as signal_day_count,
        count(*) filter (where first_signals.is_hit) as hit_day_count
    from first_signals
    group by all
),

contract_keys as (
    select distinct
        contract_checkpoints.data_source,
        contract_checkpoints.station_icao,
        contract_checkpoints.contract_type
    from contract_checkpoints
),

grid as (
    select
        contract_keys.data_source,
        contract_keys.station_icao,
        contract_keys.contract_type,
        window_starts.window_start_minute,
        buffers.buffer_f
    from contract_keys
    cross join window_starts
    cross join buffers
),

final as (
    select
        grid.data_source,
        grid.station_icao,
        grid.contract_type,
        grid.window_start_minute,
        grid.buffer_f,
        cast(coalesce(counts.signal_day_count, 0) as integer) as signal_day_count,
        cast(coalesce(counts.hit_day_count, 0) as integer) as hit_day_count,
        -- rounded once here; the SQL search, the tier and the engine all use this value
        cast(
            case
                when counts.signal_day_count > 0
                    then counts.hit_day_count / counts.signal_day_count
                else 0
            end
            as decimal(18, 4)
        ) as accuracy
    from grid
    left join counts
        on
            grid.data_source = counts.data_source
            and grid.station_icao = counts.station_icao
            and grid.contract_type = counts.contract_type
            and grid.window_start_minute = counts.window_start_minute
            and grid.buffer_f = counts.buffer_f
)

select * from final
