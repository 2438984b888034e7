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


def _fetch_inputs(session: Any, inputs: Any, thresholds: Any) -> list[dict]:
    """Test-period engine inputs inside each station's window, in time order.

    Instants come as epoch microseconds and become aware UTC datetimes once per distinct value
    (converting every timestamptz cell through the session time zone dominated the run time).
    """
    session.register("__fct_backtest_inputs", inputs)
    session.register("__fct_backtest_thresholds", thresholds)
    columns = [
        f"epoch_us(i.{name}) as {name}" if name in ("checkpoint_at", "settled_at") else f"i.{name}"
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

    out = []
    for row in rows:
        record = dict(zip(INPUT_COLUMNS, row, strict=True))
        record["checkpoint_at"] = instant(record["checkpoint_at"])
        record["settled_at"] = instant(record["settled_at"])
        out.append(record)
    return out


def _settle_pnl(count: int, price: Decimal, fee: Decimal, won: bool) -> Decimal:
    # domain.risk.settlement_pnl for an order the risk gate blocked (no Decision to pass it).
    payout = Decimal(count) if won else Decimal(0)
    return payout - Decimal(count) * price - fee


def model(dbt: Any, session: Any) -> Any:
    """Replay the test period; return one row per (would-be) trade, typed in DuckDB."""
    from domain.brackets import Bracket
    from domain.decision import DecisionInput, LadderQuote, StationThresholds, replay
    from domain.risk import RiskLimits, Settlement, settlement_pnl

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

    # Group the market rows into one DecisionInput per station x contract x checkpoint.
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in inputs:
        key = (row["data_source"], row["station_icao"], row["contract_type"])
        th = engine_thresholds.get(key)
        if th is None:
            continue
        groups[(*key, row["climate_date"], row["checkpoint_minute"])].append(row)

    settlements: dict[tuple[str, str], tuple[datetime | None, str | None]] = {}
    by_ticker: dict[tuple, dict] = {}
    streams: dict[tuple, list[tuple[DecisionInput, tuple]]] = defaultdict(list)
    for group_key in sorted(groups, key=lambda k: (groups[k][0]["checkpoint_at"], k)):
        rows = groups[group_key]
        first = rows[0]
        data_source, station, contract, climate_date, _ = group_key
        ladder = []
        for row in rows:
            settlements[(data_source, row["market_ticker"])] = (row["settled_at"], row["result"])
            by_ticker[(*group_key, row["market_ticker"])] = row
            ladder.append(
                LadderQuote(
                    market_ticker=row["market_ticker"],
                    bracket=Bracket(row["bracket_lower"], row["bracket_upper"]),
                    yes_ask=row["yes_ask_dollars"],
                    yes_bid=row["yes_bid_dollars"],
                    probability=row["model_probability"],
                    fee_type=row["fee_type"],
                    fee_multiplier=row["fee_multiplier"],
                )
            )
        inp = DecisionInput(
            thresholds=engine_thresholds[(data_source, station, contract)],
            contract_type=contract,
            climate_date=climate_date,
            running_extreme_f=first["running_extreme_f"],
            observation_age_minutes=first["observation_age_minutes"],
            ladder=tuple(ladder),
            now=first["checkpoint_at"],
        )
        stream = (data_source,) if scope == "data_source" else (data_source, station, contract)
        streams[stream].append((inp, group_key))

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

        decisions = replay((inp for inp, _ in stream), settle, limits)
        seen: set[tuple] = set()
        for (inp, group_key), decision in zip(stream, decisions, strict=True):
            day_key = group_key[:4]
            wanted = decision.is_trade or (
                decision.reason_code.startswith("risk_limit") and decision.market_ticker
            )
            if not wanted or day_key in seen:
                continue
            seen.add(day_key)
            row = by_ticker[(*group_key, decision.market_ticker)]
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
                    _settle_pnl(count, decision.price, fee, won)
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
