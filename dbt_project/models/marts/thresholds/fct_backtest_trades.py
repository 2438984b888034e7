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
from dataclasses import astuple, fields
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


def _fetch_inputs(
    session: Any, inputs: Any, thresholds: Any, columns: tuple[str, ...]
) -> list[list[Any]]:
    """Test-period engine inputs inside each station's window with an ask, in time order.

    Instants come as epoch microseconds and decimals as scaled integers; each distinct value
    becomes an aware UTC datetime or an exact Decimal once (converting every cell through the
    Python client dominated the run time).
    """
    session.register("__fct_backtest_inputs", inputs)
    session.register("__fct_backtest_thresholds", thresholds)
    selected = [
        f"epoch_us(i.{name}) as {name}"
        if name in INSTANT_COLUMNS
        else f"cast(i.{name} * {10 ** DECIMAL_SCALES[name]} as bigint) as {name}"
        if name in DECIMAL_SCALES
        else f"i.{name}"
        for name in columns
    ]
    rows = session.execute(
        f"select {', '.join(selected)} "
        "from __fct_backtest_inputs as i "
        "inner join __fct_backtest_thresholds as t "
        "on i.data_source = t.data_source and i.station_icao = t.station_icao "
        "and i.contract_type = t.contract_type "
        "where i.sample_period = 'test' "
        "and i.checkpoint_minute between t.window_start_minute and t.window_end_minute "
        # A bracket without an ask can never be bought by either rule, so its rows cannot
        # change a trade; skipping them keeps the replay fast on quote-sparse history. Staging
        # already turned every non-executable ask into null (domain.quotes).
        "and i.yes_ask_dollars is not null "
        "order by i.checkpoint_at, i.data_source, i.station_icao, i.contract_type, "
        "i.market_ticker"
    ).fetchall()
    # One cache per column: raw value -> datetime or exact Decimal, built once per value.
    converters: list[tuple[int, dict[Any, Any], Callable[[int], Any]]] = []
    for position, name in enumerate(columns):
        if name in INSTANT_COLUMNS:
            converters.append((position, {}, _instant))
        elif name in DECIMAL_SCALES:
            converters.append((position, {}, partial(_scaled, scale=DECIMAL_SCALES[name])))
    out: list[list[Any]] = []
    for row in rows:
        values = list(row)
        for position, cache, convert in converters:
            raw = values[position]
            if raw is not None:
                found = cache.get(raw)
                if found is None:
                    found = cache[raw] = convert(raw)
                values[position] = found
        out.append(values)
    return out


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
    trades = backtest((EngineRow._make(row) for row in rows), thresholds, limits, scope)
    columns = [(field.name, SQL_TYPES[field.name]) for field in fields(BacktestTrade)]
    return _typed_relation(session, [astuple(trade) for trade in trades], columns)


def _text(value: object) -> str | None:
    """A value as text for the raw frame (Decimal exactly, dates ISO); None stays None."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _rows_as_text(rows: list[tuple[Any, ...]]) -> Iterator[list[str | None]]:
    for row in rows:
        yield [_text(value) for value in row]


def _typed_relation(
    session: Any, rows: list[tuple[Any, ...]], columns: list[tuple[str, str]]
) -> Any:
    """The rows as a DuckDB relation with the declared types (text in, cast in SQL)."""
    import pandas as pd

    raw = pd.DataFrame(
        list(_rows_as_text(rows)), columns=[name for name, _ in columns], dtype=object
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
