"""fct_backtest_trades: the TEST period replayed through the live decision engine.

Every checkpoint of the test period inside a station's trading window goes, in time order,
through ``domain.decision.replay`` (``decide`` plus the risk limits of ``domain.risk``), with
the thresholds chosen on train (``dim_station_thresholds``) and the engine inputs of
``int_thresholds_engine_inputs`` (the same typed numbers the SQL search used). Trades settle
with Kalshi's result at the market's ``settled_at``, so the risk gate learns outcomes no earlier
than the live trader would.

- The backtest evaluates the chosen parameters whatever the verdict: each row of the thresholds
  table goes to the engine with ``verdict = 'GO'`` (the verdict is computed from these test
  figures; a KILL row would otherwise trade nothing). ``station_verdict`` keeps the real one.
- Risk state: one per data source (var ``thresholds_backtest_risk_scope = 'data_source'``: one
  trader for all stations, as live) or one per station and contract (``'station_contract'``).
- Checkpoints outside a station's window are not passed: ``decide`` answers OUTSIDE_WINDOW there
  without touching the risk state, and pending settlements are applied at the next input
  anyway, so leaving them out changes no decision.

One row per station x contract x climate day on which the engine wanted to trade: the executed
trade (``is_executed``), or, when a risk limit blocked it, the first blocked order of the day
(``is_executed = false``, ``pnl_dollars = 0``, ``hypothetical_pnl_dollars`` = what it would have
made). Money leaves Python as strings and is cast to decimal in DuckDB (no float on the way).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

COLUMNS: list[tuple[str, str]] = [
    ("data_source", "varchar"),
    ("station_icao", "varchar"),
    ("contract_type", "varchar"),
    ("climate_date", "date"),
    ("checkpoint_minute", "integer"),
    ("checkpoint_at", "timestamptz"),
    ("market_ticker", "varchar"),
    ("bracket_lower", "integer"),
    ("bracket_upper", "integer"),
    ("rule", "varchar"),
    ("window_start_minute", "integer"),
    ("window_end_minute", "integer"),
    ("buffer_f", "integer"),
    ("min_edge", "decimal(18, 4)"),
    ("accuracy", "decimal(18, 4)"),
    ("tier", "varchar"),
    ("station_verdict", "varchar"),
    ("running_extreme_f", "integer"),
    ("observation_age_minutes", "decimal(18, 4)"),
    ("headroom_f", "integer"),
    ("yes_bid_dollars", "decimal(18, 4)"),
    ("yes_ask_dollars", "decimal(18, 4)"),
    ("model_probability", "decimal(18, 6)"),
    ("probability", "decimal(18, 6)"),
    ("contract_count", "integer"),
    ("fee_dollars", "decimal(18, 2)"),
    ("cost_dollars", "decimal(18, 2)"),
    ("expected_value_per_contract", "decimal(18, 6)"),
    ("decision_action", "varchar"),
    ("reason_code", "varchar"),
    ("reason", "varchar"),
    ("is_executed", "boolean"),
    ("market_result", "varchar"),
    ("is_win", "boolean"),
    ("settled_at", "timestamptz"),
    ("pnl_dollars", "decimal(18, 2)"),
    ("hypothetical_pnl_dollars", "decimal(18, 2)"),
    ("risk_scope", "varchar"),
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Decimal input columns and their scales in int_thresholds_engine_inputs.
DECIMAL_SCALES = {
    "observation_age_minutes": 4,
    "yes_bid_dollars": 4,
    "yes_ask_dollars": 4,
    "model_probability": 6,
    "fee_multiplier": 6,
    "fee_dollars": 2,
}

INPUT_COLUMNS = (
    "data_source",
    "station_icao",
    "contract_type",
    "climate_date",
    "checkpoint_minute",
    "market_ticker",
    "checkpoint_at",
    "running_extreme_f",
    "observation_age_minutes",
    "bracket_lower",
    "bracket_upper",
    "headroom_f",
    "yes_bid_dollars",
    "yes_ask_dollars",
    "model_probability",
    "fee_type",
    "fee_multiplier",
    "contract_count",
    "fee_dollars",
    "result",
    "settled_at",
)


def _text(value: object) -> str | None:
    """A value as text for the raw frame (Decimal exactly, dates ISO); None stays None."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _fetch_inputs(session: Any, inputs: Any, thresholds: Any) -> list[tuple]:
    """Test-period engine inputs inside each station's window with an executable ask, in time order.

    Instants come as epoch microseconds and decimals as scaled integers; each distinct value
    becomes an aware UTC datetime or an exact Decimal once (converting every cell through the
    Python client dominated the run time).
    """
    session.register("__fct_backtest_inputs", inputs)
    session.register("__fct_backtest_thresholds", thresholds)
    columns = [
        f"epoch_us(i.{name}) as {name}"
        if name in ("checkpoint_at", "settled_at")
        else f"cast(i.{name} * {10 ** DECIMAL_SCALES[name]} as bigint) as {name}"
        if name in DECIMAL_SCALES
        else f"i.{name}"
        for name in INPUT_COLUMNS
    ]
    cursor = session.execute(
        f"select {', '.join(columns)} "
        "from __fct_backtest_inputs as i "
        "inner join __fct_backtest_thresholds as t "
        "on i.data_source = t.data_source and i.station_icao = t.station_icao "
        "and i.contract_type = t.contract_type "
        "where i.sample_period = 'test' "
        "and i.checkpoint_minute between t.window_start_minute and t.window_end_minute "
        # A bracket without an executable ask can never be bought by either rule, so its rows
        # cannot change a trade; skipping them keeps the replay fast on quote-sparse history.
        "and i.yes_ask_dollars is not null and i.yes_ask_dollars < 1 "
        "order by i.checkpoint_at, i.data_source, i.station_icao, i.contract_type, "
        "i.market_ticker"
    )
    rows = cursor.fetchall()
    instants: dict[int, datetime] = {}

    def instant(micros: int | None) -> datetime | None:
        if micros is None:
            return None
        found = instants.get(micros)
        if found is None:
            found = EPOCH + timedelta(microseconds=micros)
            instants[micros] = found
        return found

    # One cache per decimal column: scaled integer -> exact Decimal, built once per value.
    decimal_columns = [
        (position, DECIMAL_SCALES[name], {})
        for position, name in enumerate(INPUT_COLUMNS)
        if name in DECIMAL_SCALES
    ]
    instant_columns = [
        position
        for position, name in enumerate(INPUT_COLUMNS)
        if name in ("checkpoint_at", "settled_at")
    ]
    out = []
    for row in rows:
        values = list(row)
        for position, scale, cache in decimal_columns:
            units = values[position]
            if units is not None:
                found = cache.get(units)
                if found is None:
                    found = cache[units] = Decimal(units).scaleb(-scale)
                values[position] = found
        for position in instant_columns:
            values[position] = instant(values[position])
        out.append(tuple(values))
    return out


def model(dbt: Any, session: Any) -> Any:
    """Replay the test period; return one row per (would-be) trade, typed in DuckDB."""
    from domain.brackets import Bracket
    from domain.decision import DecisionInput, LadderQuote, StationThresholds, replay
    from domain.risk import RiskLimits, Settlement, order_pnl, settlement_pnl

    dbt.config(materialized="table")
    # meta_get calls must stand alone: dbt finds them by parsing this file
    scope_setting = dbt.config.meta_get("risk_scope", "data_source")
    stake_min_setting = dbt.config.meta_get("stake_min", "5.00")
    stake_max_setting = dbt.config.meta_get("stake_max", "10.00")
    scope = str(scope_setting or "data_source")
    if scope not in ("data_source", "station_contract"):
        raise ValueError(f"thresholds_backtest_risk_scope: unknown risk scope {scope!r}")

    threshold_relation = dbt.ref("dim_station_thresholds")
    threshold_names = list(threshold_relation.columns)
    threshold_rows = threshold_relation.fetchall()
    thresholds: dict[tuple[str, str, str], dict] = {}
    for raw in threshold_rows:
        record = dict(zip(threshold_names, raw, strict=True))
        thresholds[(record["data_source"], record["station_icao"], record["contract_type"])] = (
            record
        )
    engine_thresholds = {
        key: StationThresholds.from_record({**record, "verdict": "GO"})
        for key, record in thresholds.items()
    }

    inputs = _fetch_inputs(session, dbt.ref("int_thresholds_engine_inputs"), threshold_relation)

    # One DecisionInput per station x contract x checkpoint. The rows arrive ordered by
    # checkpoint instant, then book, then ticker, so each checkpoint's ladder is one contiguous
    # run and the inputs come out in time order without regrouping.
    col = {name: position for position, name in enumerate(INPUT_COLUMNS)}
    settlements: dict[tuple[str, str], tuple[datetime | None, str | None]] = {}
    streams: dict[tuple, list[tuple[DecisionInput, tuple, dict[str, tuple]]]] = defaultdict(list)
    run: list[tuple] = []

    def flush() -> None:
        if not run:
            return
        first = run[0]
        data_source = first[col["data_source"]]
        station = first[col["station_icao"]]
        contract = first[col["contract_type"]]
        group_key = (
            data_source,
            station,
            contract,
            first[col["climate_date"]],
            first[col["checkpoint_minute"]],
        )
        ladder = []
        rows_by_ticker: dict[str, tuple] = {}
        for row in run:
            ticker = row[col["market_ticker"]]
            settlements[(data_source, ticker)] = (row[col["settled_at"]], row[col["result"]])
            rows_by_ticker[ticker] = row
            ladder.append(
                LadderQuote(
                    market_ticker=ticker,
                    bracket=Bracket(row[col["bracket_lower"]], row[col["bracket_upper"]]),
                    yes_ask=row[col["yes_ask_dollars"]],
                    yes_bid=row[col["yes_bid_dollars"]],
                    probability=row[col["model_probability"]],
                    fee_type=row[col["fee_type"]],
                    fee_multiplier=row[col["fee_multiplier"]],
                )
            )
        inp = DecisionInput(
            thresholds=engine_thresholds[(data_source, station, contract)],
            contract_type=contract,
            climate_date=group_key[3],
            running_extreme_f=first[col["running_extreme_f"]],
            observation_age_minutes=first[col["observation_age_minutes"]],
            ladder=tuple(ladder),
            now=first[col["checkpoint_at"]],
        )
        stream = (data_source,) if scope == "data_source" else (data_source, station, contract)
        streams[stream].append((inp, group_key, rows_by_ticker))
        run.clear()

    book_at = (col["data_source"], col["station_icao"], col["contract_type"], col["checkpoint_at"])
    current: tuple | None = None
    for row in inputs:
        if (row[col["data_source"]], row[col["station_icao"]], row[col["contract_type"]]) not in (
            engine_thresholds
        ):
            continue
        key = tuple(row[position] for position in book_at)
        if key != current:
            flush()
            current = key
        run.append(row)
    flush()

    stake_min = Decimal(str(stake_min_setting or "5.00"))
    stake_max = Decimal(str(stake_max_setting or "10.00"))
    limits = RiskLimits(stake_min=stake_min, stake_max=stake_max)

    out: list[dict] = []
    for stream_key in sorted(streams):
        stream = streams[stream_key]
        data_source = stream_key[0]

        def settle(decision: Any, data_source: str = data_source) -> Settlement | None:
            settled_at, result = settlements.get(
                (data_source, decision.market_ticker), (None, None)
            )
            if settled_at is None or result not in ("yes", "no"):
                return None
            return Settlement(settled_at=settled_at, won=result == "yes")

        decisions = replay((entry[0] for entry in stream), settle, limits)
        seen: set[tuple] = set()
        for (inp, group_key, rows_by_ticker), decision in zip(stream, decisions, strict=True):
            day_key = group_key[:4]
            wanted = decision.is_trade or (
                decision.reason_code.startswith("risk_limit") and decision.market_ticker
            )
            if not wanted or day_key in seen:
                continue
            seen.add(day_key)
            row = dict(zip(INPUT_COLUMNS, rows_by_ticker[decision.market_ticker], strict=True))
            record = thresholds[group_key[:3]]
            th = inp.thresholds
            result = row["result"]
            won = result == "yes" if result in ("yes", "no") else None
            if decision.is_trade:
                count, fee = decision.count, decision.fee
                pnl = settlement_pnl(decision, won) if won is not None else None
                hypothetical = pnl
            else:
                count, fee = row["contract_count"], row["fee_dollars"]
                pnl = Decimal(0)
                hypothetical = (
                    order_pnl(count, decision.price, fee, won)
                    if won is not None and count and decision.price is not None
                    else None
                )
            out.append(
                {
                    "data_source": data_source,
                    "station_icao": th.station_icao,
                    "contract_type": inp.contract_type,
                    "climate_date": inp.climate_date,
                    "checkpoint_minute": decision.checkpoint_minute,
                    "checkpoint_at": inp.now,
                    "market_ticker": decision.market_ticker,
                    "bracket_lower": row["bracket_lower"],
                    "bracket_upper": row["bracket_upper"],
                    "rule": th.rule,
                    "window_start_minute": th.window_start_minute,
                    "window_end_minute": th.window_end_minute,
                    "buffer_f": th.buffer_f,
                    "min_edge": th.min_edge,
                    "accuracy": th.accuracy,
                    "tier": th.tier,
                    "station_verdict": record["verdict"],
                    "running_extreme_f": inp.running_extreme_f,
                    "observation_age_minutes": inp.observation_age_minutes,
                    "headroom_f": row["headroom_f"],
                    "yes_bid_dollars": row["yes_bid_dollars"],
                    "yes_ask_dollars": decision.price,
                    "model_probability": row["model_probability"],
                    "probability": decision.probability,
                    "contract_count": count,
                    "fee_dollars": fee,
                    "cost_dollars": (decision.price * count) if count else None,
                    "expected_value_per_contract": decision.expected_value_per_contract,
                    "decision_action": decision.action,
                    "reason_code": decision.reason_code,
                    "reason": decision.reason,
                    "is_executed": decision.is_trade,
                    "market_result": result,
                    "is_win": won,
                    "settled_at": row["settled_at"],
                    "pnl_dollars": pnl,
                    "hypothetical_pnl_dollars": hypothetical,
                    "risk_scope": scope,
                }
            )

    return _typed_relation(session, out)


def _rows_as_text(out: list[dict]) -> Iterator[list[str | None]]:
    for record in out:
        yield [_text(record[name]) for name, _ in COLUMNS]


def _typed_relation(session: Any, out: list[dict]) -> Any:
    """The rows as a DuckDB relation with the declared types (text in, cast in SQL)."""
    import pandas as pd

    raw = pd.DataFrame(
        list(_rows_as_text(out)), columns=[name for name, _ in COLUMNS], dtype=object
    )
    session.register("__fct_backtest_trades_raw", raw)
    casts = ",\n".join(
        f"cast({name} as {sql_type}) as {name}"
        if sql_type != "boolean"
        else f"cast({name} as varchar) = 'True' as {name}"
        for name, sql_type in COLUMNS
    )
    return session.sql(
        f"select {casts} from __fct_backtest_trades_raw "
        "order by data_source, station_icao, contract_type, climate_date"
    )
