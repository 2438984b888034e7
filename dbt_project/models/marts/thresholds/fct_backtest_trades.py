"""fct_backtest_trades: the TEST period replayed through the live decision engine.

Thin glue: fetch the test period's rows of ``int_thresholds_engine_inputs`` inside each
station's window and the thresholds chosen on train (``dim_station_thresholds``), hand them to
``domain.backtest.backtest`` (``decide`` plus the risk limits, in time order; its docstring has
the rules), and type the result as a DuckDB relation.

Settings come from the model's ``meta`` (``_thresholds__models.yml``), set from the vars in
``dbt_project.yml``, which hold the only defaults: ``risk_scope`` (var
``thresholds_backtest_risk_scope``), ``stake_min`` and ``stake_max``. A missing one is an error.
Money leaves Python as strings and is cast to decimal in DuckDB (no float on the way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

SQL_TYPES = {
    "data_source": "varchar",
    "station_icao": "varchar",
    "contract_type": "varchar",
    "climate_date": "date",
    "checkpoint_minute": "integer",
    "checkpoint_at": "timestamptz",
    "market_ticker": "varchar",
    "bracket_lower": "integer",
    "bracket_upper": "integer",
    "rule": "varchar",
    "window_start_minute": "integer",
    "window_end_minute": "integer",
    "buffer_f": "integer",
    "min_edge": "decimal(18, 4)",
    "accuracy": "decimal(18, 4)",
    "tier": "varchar",
    "station_verdict": "varchar",
    "running_extreme_f": "integer",
    "observation_age_minutes": "decimal(18, 4)",
    "headroom_f": "integer",
    "yes_bid_dollars": "decimal(18, 4)",
    "yes_ask_dollars": "decimal(18, 4)",
    "model_probability": "decimal(18, 6)",
    "probability": "decimal(18, 6)",
    "contract_count": "integer",
    "fee_dollars": "decimal(18, 2)",
    "cost_dollars": "decimal(18, 2)",
    "expected_value_per_contract": "decimal(18, 6)",
    "decision_action": "varchar",
    "reason_code": "varchar",
    "reason": "varchar",
    "is_executed": "boolean",
    "market_result": "varchar",
    "is_win": "boolean",
    "settled_at": "timestamptz",
    "pnl_dollars": "decimal(18, 2)",
    "hypothetical_pnl_dollars": "decimal(18, 2)",
    "risk_scope": "varchar",
}
"""The mart's column types, by ``domain.backtest.BacktestTrade`` field."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INSTANT_COLUMNS = ("checkpoint_at", "settled_at")
# Decimal input columns and their scales in int_thresholds_engine_inputs.
DECIMAL_SCALES = {
    "observation_age_minutes": 4,
    "yes_bid_dollars": 4,
    "yes_ask_dollars": 4,
    "model_probability": 6,
    "fee_multiplier": 6,
}


def _setting(value: object, name: str) -> str:
    """A meta setting as text, or a clear error naming where it should come from."""
    if value is None or value == "":
        raise ValueError(
            f"fct_backtest_trades: config meta {name!r} is missing; it is set from a var of "
            "dbt_project.yml in _thresholds__models.yml"
        )
    return str(value)


def _instant(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _scaled(units: int, scale: int) -> Decimal:
    return Decimal(units).scaleb(-scale)


# A checkpoint (book x instant) the thresholds' rule could buy at before its risk gate: these
# are necessary conditions of a BUY_YES of ``domain.decision.decide`` on the rows it is given
# (a running extreme, an observation no older than the station's limit, and one bracket that
# passes the rule's price test: the design's holding bracket clear of the buffer with an ask
# under the accuracy and accuracy - ask >= min_edge; the fair-value rule's live bracket with
# p - ask >= min_edge, as the fee only lowers the edge). Every other checkpoint decides NO_TRADE
# for a reason the risk state never sees, so leaving it out changes no trade; a kept checkpoint
# keeps all its rows, so the engine sees the same ladder.
CANDIDATE = """
(
    i.running_extreme_f is not null
    and i.observation_age_minutes <= t.max_obs_age_minutes
    and case t.rule
        when 'design' then
            (i.bracket_lower is null or i.running_extreme_f >= i.bracket_lower)
            and (i.bracket_upper is null or i.running_extreme_f <= i.bracket_upper)
            and case i.contract_type
                when 'HIGH' then i.bracket_upper is null
                    or i.bracket_upper - i.running_extreme_f >= t.buffer_f
                else i.bracket_lower is null
                    or i.running_extreme_f - i.bracket_lower >= t.buffer_f
            end
            and i.yes_ask_dollars < t.accuracy
            and t.accuracy - i.yes_ask_dollars >= t.min_edge
        else
            i.model_probability is not null
            and i.model_probability - i.yes_ask_dollars >= t.min_edge
            and not coalesce(
                case i.contract_type
                    when 'HIGH' then i.bracket_upper < i.running_extreme_f
                    else i.bracket_lower > i.running_extreme_f
                end,
                false
            )
    end
)
"""
BATCH_ROWS = 65536
"""Rows per Arrow record batch: memory is bounded by a batch, not by the test period."""


def _inputs_query(columns: tuple[str, ...]) -> str:
    """Test-period engine inputs of candidate checkpoints inside each station's window, by time.

    Instants come as epoch microseconds and decimals as scaled integers (converted once per
    distinct value in Python). Only rows with an ask are kept, as always: a bracket without one
    can never be bought by either rule (staging already turned every non-executable ask into
    null, ``domain.quotes``).
    """
    selected = [
        f"epoch_us(i.{name}) as {name}"
        if name in INSTANT_COLUMNS
        else f"cast(i.{name} * {10 ** DECIMAL_SCALES[name]} as bigint) as {name}"
        if name in DECIMAL_SCALES
        else f"i.{name}"
        for name in columns
    ]
    return f"""
with windowed as (
    select i.*
    from __fct_backtest_inputs as i
    inner join __fct_backtest_thresholds as t
        on i.data_source = t.data_source and i.station_icao = t.station_icao
        and i.contract_type = t.contract_type
    where i.sample_period = 'test'
        and i.checkpoint_minute between t.window_start_minute and t.window_end_minute
        and i.yes_ask_dollars is not null
),
candidates as (
    select distinct i.data_source, i.station_icao, i.contract_type, i.checkpoint_at
    from windowed as i
    inner join __fct_backtest_thresholds as t
        on i.data_source = t.data_source and i.station_icao = t.station_icao
        and i.contract_type = t.contract_type
    where {CANDIDATE}
)
select {", ".join(selected)}
from windowed as i
semi join candidates as c
    on i.data_source = c.data_source and i.station_icao = c.station_icao
    and i.contract_type = c.contract_type and i.checkpoint_at = c.checkpoint_at
order by i.checkpoint_at, i.data_source, i.station_icao, i.contract_type, i.market_ticker
"""


def _fetch_inputs(
    session: Any, inputs: Any, thresholds: Any, columns: tuple[str, ...]
) -> Iterator[tuple[Any, ...]]:
    """The candidate engine-input rows (``_inputs_query``) in time order, streamed in batches.

    Each distinct instant or scaled decimal becomes an aware UTC datetime or an exact Decimal
    once (converting every cell through the Python client dominated the run time).
    """
    session.register("__fct_backtest_inputs", inputs)
    session.register("__fct_backtest_thresholds", thresholds)
    reader = session.sql(_inputs_query(columns)).to_arrow_reader(BATCH_ROWS)
    # One cache per column: raw value -> datetime or exact Decimal, built once per value.
    converters: dict[int, tuple[dict[Any, Any], Callable[[int], Any]]] = {}
    for position, name in enumerate(columns):
        if name in INSTANT_COLUMNS:
            converters[position] = ({None: None}, _instant)
        elif name in DECIMAL_SCALES:
            converters[position] = ({None: None}, partial(_scaled, scale=DECIMAL_SCALES[name]))
    for batch in reader:
        values: list[list[Any]] = []
        for position in range(len(columns)):
            column = batch.column(position).to_pylist()
            if position in converters:
                cache, convert = converters[position]
                column = [
                    cache[raw] if raw in cache else cache.setdefault(raw, convert(raw))
                    for raw in column
                ]
            values.append(column)
        yield from zip(*values, strict=True)


def model(dbt: Any, session: Any) -> Any:
    """Replay the test period; return one row per (would-be) trade, typed in DuckDB."""
    from domain.backtest import BacktestTrade, EngineRow, backtest
    from domain.risk import RiskLimits

    dbt.config(materialized="table")
    # meta_get calls must stand alone: dbt finds them by parsing this file
    scope_setting = dbt.config.meta_get("risk_scope")
    stake_min_setting = dbt.config.meta_get("stake_min")
    stake_max_setting = dbt.config.meta_get("stake_max")
    scope = _setting(scope_setting, "risk_scope")
    limits = RiskLimits(
        stake_min=Decimal(_setting(stake_min_setting, "stake_min")),
        stake_max=Decimal(_setting(stake_max_setting, "stake_max")),
    )

    threshold_relation = dbt.ref("dim_station_thresholds")
    names = list(threshold_relation.columns)
    thresholds = {}
    for raw in threshold_relation.fetchall():
        record = dict(zip(names, raw, strict=True))
        thresholds[(record["data_source"], record["station_icao"], record["contract_type"])] = (
            record
        )
    rows = _fetch_inputs(
        session, dbt.ref("int_thresholds_engine_inputs"), threshold_relation, EngineRow._fields
    )
    trades = backtest(map(EngineRow._make, rows), thresholds, limits, scope)
    names = [field.name for field in fields(BacktestTrade)]
    # Field by field (dataclasses.astuple deep-copies every value).
    rows_out = [tuple(getattr(trade, name) for name in names) for trade in trades]
    return _typed_relation(session, rows_out, [(name, SQL_TYPES[name]) for name in names])


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
    import pyarrow as pa

    raw = pa.table(
        {
            name: pa.array([_text(row[position]) for row in rows], type=pa.string())
            for position, (name, _) in enumerate(columns)
        }
    )
    session.register("__fct_backtest_trades_raw", raw)
    casts = ",\n".join(
        f"cast({name} as {sql_type}) as {name}"
        if sql_type != "boolean"
        else f"cast({name} as varchar) = 'True' as {name}"
        for name, sql_type in columns
    )
    return session.sql(
        f"select {casts} from __fct_backtest_trades_raw "
        "order by data_source, station_icao, contract_type, climate_date"
    )
