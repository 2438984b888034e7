"""fct_forecast_strategy_trades: the forecast strategies, searched on TRAIN, replayed on TEST.

Thin glue: fetch every settled contract day's quoted checkpoints (``int_gate_market_checkpoints``:
as-of executable asks and bids per market x checkpoint, the running extreme) with the latest
forecast published at or before each checkpoint (an ASOF join on ``int_forecast_asof``: no
look-ahead), group them into ``domain.forecast_strategies.ContractDay`` values, search each
strategy's parameters on the train days (``domain.forecast_search``: seeded Optuna, day-grouped)
and replay the test days with them (``domain.forecast_strategies.run``; its docstring has the
rules). Only test-period trades are returned.

Settings come from the model's ``meta`` (``_forecast_strategies__models.yml``): ``stake_min`` and
``stake_max`` (vars ``gate_stake_*_dollars``), ``trials`` and ``seed``. Money leaves Python as
text and is cast to decimal in DuckDB (no float on the way).
"""

from __future__ import annotations

from dataclasses import astuple, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

SQL_TYPES = {
    "data_source": "varchar",
    "strategy": "varchar",
    "station_icao": "varchar",
    "contract_type": "varchar",
    "climate_date": "date",
    "sample_period": "varchar",
    "opened_at": "timestamptz",
    "forecast_f": "decimal(18, 4)",
    "entry_market_ticker": "varchar",
    "entry_ask_dollars": "decimal(18, 4)",
    "entry_count": "integer",
    "entry_fee_dollars": "decimal(18, 2)",
    "exited_at": "timestamptz",
    "exit_bid_dollars": "decimal(18, 4)",
    "exit_fee_dollars": "decimal(18, 2)",
    "final_market_ticker": "varchar",
    "final_ask_dollars": "decimal(18, 4)",
    "final_count": "integer",
    "final_fee_dollars": "decimal(18, 2)",
    "market_result": "varchar",
    "is_win": "boolean",
    "pnl_dollars": "decimal(18, 2)",
    "max_ask_dollars": "decimal(18, 4)",
    "exit_margin_f": "integer",
}
"""The mart's columns: ``StrategyTrade`` fields, then the parameters chosen on train."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

DAYS = """
select
    data_source,
    station_icao,
    contract_type,
    climate_date,
    sample_period,
    cast(row_number() over (
        order by data_source, station_icao, contract_type, climate_date
    ) as integer) as day_id
from __fs_days
where has_settled_ladder and sample_period in ('train', 'test')
"""
"""Every settled train or test contract day, numbered (the quotes join on the number)."""

# Each quoted market x checkpoint of a numbered day with the latest forecast published at or
# before the checkpoint (an ASOF join per checkpoint), x 10^4 as the Python side reads them.
QUOTED = """
create or replace temp table __fs_quoted as
with rows as (
    select
        d.day_id,
        d.data_source,
        m.checkpoint_at,
        m.running_extreme_f,
        m.market_ticker,
        cast(m.yes_bid_dollars * 10000 as bigint) as bid_e4,
        cast(m.executable_yes_ask_dollars * 10000 as bigint) as ask_e4
    from __fs_checkpoints as m
    inner join __fs_day_ids as d
        on m.data_source = d.data_source and m.station_icao = d.station_icao
        and m.contract_type = d.contract_type and m.climate_date = d.climate_date
    where m.yes_bid_dollars is not null or m.executable_yes_ask_dollars is not null
),
checkpoints as (
    select distinct day_id, checkpoint_at from rows
),
forecasts as (
    select
        d.day_id,
        f.published_at,
        case d.contract_type when 'HIGH' then f.forecast_high_f else f.forecast_low_f end
            as forecast_f
    from __fs_day_ids as d
    inner join __fs_forecasts as f
        on d.data_source = f.data_source and d.station_icao = f.station_icao
        and d.climate_date = f.climate_date
),
as_of as (
    select c.day_id, c.checkpoint_at, cast(f.forecast_f * 10000 as bigint) as forecast_e4
    from checkpoints as c
    asof left join forecasts as f on c.day_id = f.day_id and f.published_at <= c.checkpoint_at
)
select r.*, a.forecast_e4
from rows as r
inner join as_of as a on r.day_id = a.day_id and r.checkpoint_at = a.checkpoint_at
"""

# Each day with a quote: its first quoted market (in checkpoint then ticker order, whose fee
# schedule is the day's) and its OPEN (``domain.forecast_strategies.open_index``: the first
# checkpoint with a forecast and an executable ask, 0 < ask < 1, or null).
QUOTED_DAYS = """
select
    day_id,
    arg_min(market_ticker, (checkpoint_at, market_ticker)) as first_market_ticker,
    epoch_us(min(checkpoint_at) filter (
        where forecast_e4 is not null and ask_e4 > 0 and ask_e4 < 10000
    )) as open_us
from __fs_quoted
group by day_id
order by day_id
"""

# The quotes from each day's OPEN on (a strategy reads nothing before it), by day and checkpoint.
SNAPSHOTS = """
with opens as (
    select
        day_id,
        min(checkpoint_at) filter (
            where forecast_e4 is not null and ask_e4 > 0 and ask_e4 < 10000
        ) as open_at
    from __fs_quoted
    group by day_id
)
select
    q.day_id,
    epoch_us(q.checkpoint_at) as checkpoint_us,
    q.running_extreme_f,
    q.forecast_e4,
    q.market_ticker,
    q.bid_e4,
    q.ask_e4
from __fs_quoted as q
inner join opens as o on q.day_id = o.day_id and q.checkpoint_at >= o.open_at
order by q.day_id, checkpoint_us, q.market_ticker
"""

MARKETS = """
select distinct
    m.data_source,
    m.market_ticker,
    m.bracket_lower,
    m.bracket_upper,
    m.result,
    coalesce(k.fee_type, 'quadratic') as fee_type,
    cast(coalesce(k.fee_multiplier, 1) * 1000000 as bigint) as fee_multiplier_e6
from __fs_checkpoints as m
left join __fs_markets as k
    on m.data_source = k.data_source and m.market_ticker = k.market_ticker
"""
"""Each market's bracket, result and fee schedule (constant over its checkpoints)."""


def _setting(value: object, name: str) -> str:
    """A meta setting as text, or a clear error naming where it should come from."""
    if value is None or value == "":
        raise ValueError(
            f"fct_forecast_strategy_trades: config meta {name!r} is missing; it is set in "
            "_forecast_strategies__models.yml"
        )
    return str(value)


def _contract_days(session: Any) -> list[Any]:
    """Every settled contract day with a quote as a ``ContractDay``, by day.

    A day's snapshots start at its OPEN: ``run_day`` starts there and reads nothing earlier, so
    each day trades as on all its snapshots; a day with no OPEN keeps no snapshot (and still
    counts in the search's mean P&L per day).
    """
    import numpy

    from domain.brackets import Bracket
    from domain.forecast_strategies import BracketQuote, ContractDay, Snapshot

    session.register("__fs_day_ids", session.sql(DAYS))
    days = {row[5]: row[:5] for row in session.execute("select * from __fs_day_ids").fetchall()}
    markets = {(row[0], row[1]): row[2:] for row in session.execute(MARKETS).fetchall()}
    decimals: dict[int | None, Decimal | None] = {None: None}

    def exact(raw: int | None) -> Decimal | None:
        if raw is None or raw in decimals:
            return decimals[raw]
        found = decimals[raw] = Decimal(raw).scaleb(-4)
        return found

    session.execute(QUOTED)
    quoted_days = session.execute(QUOTED_DAYS).fetchall()
    columns = session.execute(SNAPSHOTS).fetchnumpy()
    session.execute("drop table __fs_quoted")
    day_ids, instants = columns["day_id"], columns["checkpoint_us"]
    # A snapshot is a run of one day and instant.
    changes = (day_ids[1:] != day_ids[:-1]) | (instants[1:] != instants[:-1])
    starts = numpy.flatnonzero(numpy.r_[True, changes]).tolist() if len(day_ids) else []
    ends = [*starts[1:], len(day_ids)] if starts else []
    tickers, bids, asks, extremes, forecasts = (
        columns[name].tolist()
        for name in ("market_ticker", "bid_e4", "ask_e4", "running_extreme_f", "forecast_e4")
    )
    day_list, instant_list = day_ids.tolist(), instants.tolist()
    # One BracketQuote per distinct (source, ticker, bid, ask): a book repeats while unchanged.
    quotes: dict[tuple[str, str, int | None, int | None], BracketQuote] = {}

    def quote(source: str, position: int) -> BracketQuote:
        key = (source, tickers[position], bids[position], asks[position])
        found = quotes.get(key)
        if found is None:
            _, ticker, bid, ask = key
            lower, upper, result, _, _ = markets[(source, ticker)]
            found = quotes[key] = BracketQuote(
                ticker, Bracket(lower, upper), exact(bid), exact(ask), result
            )
        return found

    snapshots: dict[int, list[Snapshot]] = {}
    for start, end in zip(starts, ends, strict=True):
        forecast = forecasts[start]
        source = days[day_list[start]][0]
        snapshots.setdefault(day_list[start], []).append(
            Snapshot(
                EPOCH + timedelta(microseconds=instant_list[start]),
                extremes[start],
                None if forecast is None else exact(forecast),
                tuple(quote(source, position) for position in range(start, end)),
            )
        )
    out: list[Any] = []
    for day_id, first_ticker, _ in quoted_days:
        source, station, contract, climate, period = days[day_id]
        fee_type, multiplier = markets[(source, first_ticker)][3:]
        out.append(
            ContractDay(
                source,
                station,
                contract,
                climate,
                period,
                fee_type,
                Decimal(multiplier).scaleb(-6),
                tuple(snapshots.get(day_id, ())),
            )
        )
    return out


def model(dbt: Any, session: Any) -> Any:
    """Search on train, replay test; one row per strategy x traded test contract day."""
    from domain.forecast_search import search
    from domain.forecast_strategies import STRATEGIES, Stakes, StrategyTrade, run

    dbt.config(materialized="table")
    # meta_get calls must stand alone: dbt finds them by parsing this file
    stake_min_setting = dbt.config.meta_get("stake_min")
    stake_max_setting = dbt.config.meta_get("stake_max")
    trials_setting = dbt.config.meta_get("trials")
    seed_setting = dbt.config.meta_get("seed")
    stakes = Stakes(
        stake_min=Decimal(_setting(stake_min_setting, "stake_min")),
        stake_max=Decimal(_setting(stake_max_setting, "stake_max")),
    )
    trials = int(_setting(trials_setting, "trials"))
    seed = int(_setting(seed_setting, "seed"))

    session.register("__fs_checkpoints", dbt.ref("int_gate_market_checkpoints"))
    session.register("__fs_days", dbt.ref("int_gate_contract_days"))
    session.register("__fs_markets", dbt.ref("int_markets_enriched"))
    session.register("__fs_forecasts", dbt.ref("int_forecast_asof"))
    days = _contract_days(session)

    out: list[tuple[Any, ...]] = []
    for source in sorted({day.data_source for day in days}):
        train = [d for d in days if d.data_source == source and d.sample_period == "train"]
        test = [d for d in days if d.data_source == source and d.sample_period == "test"]
        for strategy in STRATEGIES:
            params = search(train, strategy, stakes, trials=trials, seed=seed)
            for trade in run(test, strategy, params, stakes):
                out.append((*astuple(trade), params.max_ask, params.exit_margin_f))
    names = [field.name for field in fields(StrategyTrade)] + ["max_ask_dollars", "exit_margin_f"]
    return _typed_relation(session, out, [(name, SQL_TYPES[name]) for name in names])


def _text(value: object) -> str | None:
    """A value as text for the raw frame (Decimal exactly, dates ISO); None stays None."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _typed_relation(
    session: Any, rows: list[tuple[Any, ...]], columns: list[tuple[str, str]]
) -> Any:
    """The rows as a DuckDB relation with the declared types (text in, cast in SQL)."""
    import pandas as pd

    raw = pd.DataFrame(
        [[_text(value) for value in row] for row in rows],
        columns=[name for name, _ in columns],
        dtype=object,
    )
    session.register("__fct_forecast_strategy_trades_raw", raw)
    casts = ",\n".join(
        f"cast({name} as {sql_type}) as {name}"
        if sql_type != "boolean"
        else f"cast({name} as varchar) = 'True' as {name}"
        for name, sql_type in columns
    )
    return session.sql(
        f"select {casts} from __fct_forecast_strategy_trades_raw "
        "order by data_source, strategy, station_icao, contract_type, climate_date"
    )
