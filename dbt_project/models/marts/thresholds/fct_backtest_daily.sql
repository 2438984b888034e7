{#- Daily P&L of the engine backtest (fct_backtest_trades, executed trades only), per data source
    x station x test climate date, plus station_icao = 'ALL' rows for the whole book. Every test
    climate date is a row (0 when nothing traded), so the Sharpe ratio counts idle days.
    A trade's P&L is booked on its climate date (it is realised the next morning).
    Running columns (cumulative P&L, drawdown from the running peak, starting at 0) are to date;
    period_* columns summarise the whole test period and repeat on each row:
    sharpe_daily = mean / sample sd of daily P&L (not annualised), sharpe_annualised =
    sharpe_daily x sqrt(365) (climate days run every calendar day), max_drawdown_dollars = the
    largest peak-to-trough fall of cumulative P&L (a positive amount). -#}

with

backtest_trades as (
    select * from {{ ref('fct_backtest_trades') }}
),

thresholds as (
    select * from {{ ref('dim_station_thresholds') }}
),

contract_days as (
    select * from {{ ref('int_gate_contract_days') }}
),

test_days as (
    select distinct
        contract_days.data_source,
        contract_days.station_icao,
        contract_days.climate_date
    from contract_days
    inner join thresholds
        on
            contract_days.data_source = thresholds.data_source
            and contract_days.station_icao = thresholds.station_icao
            and contract_days.contract_type = thresholds.contract_type
    where
        contract_days.sample_period = 'test'
        and contract_days.has_settled_ladder
),

calendar as (
    select
        test_days.data_source,
        test_days.station_icao,
        test_days.climate_date
    from test_days
    union all
    select distinct
        test_days.data_source,
        'ALL' as station_icao,
        test_days.climate_date
    from test_days
),

trade_rows as (
    select
        backtest_trades.data_source,
        book.station_icao,
        backtest_trades.climate_date,
        backtest_trades.is_executed,
        backtest_trades.is_win,
        backtest_trades.contract_count,
        backtest_trades.cost_dollars,
        backtest_trades.fee_dollars,
        backtest_trades.pnl_dollars
    from backtest_trades
    cross join unnest([backtest_trades.station_icao, 'ALL']) as book (station_icao)
),

trades_by_day as (
    select
        trade_rows.data_source,
        trade_rows.station_icao,
        trade_rows.climate_date,
        count(*) filter (where trade_rows.is_executed) as trade_count,
        count(*) filter (where trade_rows.is_executed and trade_rows.is_win) as win_count,
        count(*) filter (where not trade_rows.is_executed) as risk_blocked_count,
        sum(trade_rows.contract_count) filter (where trade_rows.is_executed) as contract_count,
        sum(trade_rows.cost_dollars) filter (where trade_rows.is_executed) as cost_dollars,
        sum(trade_rows.fee_dollars) filter (where trade_rows.is_executed) as fee_dollars,
        sum(trade_rows.pnl_dollars) filter (where trade_rows.is_executed) as pnl_dollars
    from trade_rows
    group by all
),

daily as (
    select
        calendar.data_source,
        calendar.station_icao,
        calendar.climate_date,
        cast(coalesce(trades_by_day.trade_count, 0) as integer) as trade_count,
        cast(coalesce(trades_by_day.win_count, 0) as integer) as win_count,
        cast(coalesce(trades_by_day.risk_blocked_count, 0) as integer) as risk_blocked_count,
        cast(coalesce(trades_by_day.contract_count, 0) as bigint) as contract_count,
        cast(coalesce(trades_by_day.cost_dollars, 0) as decimal(18, 2)) as cost_dollars,
        cast(coalesce(trades_by_day.fee_dollars, 0) as decimal(18, 2)) as fee_dollars,
        cast(coalesce(trades_by_day.pnl_dollars, 0) as decimal(18, 2)) as pnl_dollars
    from calendar
    left join trades_by_day
        on
            calendar.data_source = trades_by_day.data_source
            and calendar.station_icao = trades_by_day.station_icao
            and calendar.climate_date = trades_by_day.climate_date
),

cumulative as (
    select
        daily.data_source,
        daily.station_icao,
        daily.climate_date,
        daily.trade_count,
        daily.win_count,
        daily.risk_blocked_count,
        daily.contract_count,
        daily.cost_dollars,
        daily.fee_dollars,
        daily.pnl_dollars,
        sum(daily.pnl_dollars) over to_date as cumulative_pnl_dollars
    from daily
    window to_date as (
        partition by daily.data_source, daily.station_icao
        order by daily.climate_date
        rows between unbounded preceding and current row
    )
),

drawdowns as (
    select
        cumulative.data_source,
        cumulative.station_icao,
        cumulative.climate_date,
        cumulative.trade_count,
        cumulative.win_count,
        cumulative.risk_blocked_count,
        cumulative.contract_count,
        cumulative.cost_dollars,
        cumulative.fee_dollars,
        cumulative.pnl_dollars,
        cumulative.cumulative_pnl_dollars,
        cumulative.cumulative_pnl_dollars
        - greatest(max(cumulative.cumulative_pnl_dollars) over to_date, 0) as drawdown_dollars
    from cumulative
    window to_date as (
        partition by cumulative.data_source, cumulative.station_icao
        order by cumulative.climate_date
        rows between unbounded preceding and current row
    )
),

final as (
    select
        data_source,
        station_icao,
        climate_date,
        trade_count,
        win_count,
        risk_blocked_count,
        case when trade_count > 0 then win_count / trade_count end as hit_rate,
        contract_count,
        cost_dollars,
        fee_dollars,
        pnl_dollars,
        cast(cumulative_pnl_dollars as decimal(18, 2)) as cumulative_pnl_dollars,
        cast(drawdown_dollars as decimal(18, 2)) as drawdown_dollars,
        cast(count(*) over period as integer) as period_day_count,
        cast(sum(trade_count) over period as integer) as period_trade_count,
        sum(win_count) over period / nullif(sum(trade_count) over period, 0)
            as period_hit_rate,
        cast(sum(pnl_dollars) over period as decimal(18, 2)) as period_pnl_dollars,
        avg(cast(pnl_dollars as double)) over period as mean_daily_pnl_dollars,
        stddev_samp(cast(pnl_dollars as double)) over period as sd_daily_pnl_dollars,
        avg(cast(pnl_dollars as double)) over period
        / nullif(stddev_samp(cast(pnl_dollars as double)) over period, 0) as sharpe_daily,
        avg(cast(pnl_dollars as double)) over period
        / nullif(stddev_samp(cast(pnl_dollars as double)) over period, 0)
        * sqrt(365) as sharpe_annualised,
        cast(-min(drawdown_dollars) over period as decimal(18, 2)) as max_drawdown_dollars
    from drawdowns
    window period as (partition by data_source, station_icao)
)

select * from final
