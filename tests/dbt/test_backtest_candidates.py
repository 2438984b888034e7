"""fct_backtest_trades replays only candidate checkpoints: the trades are those of all of them.

The model's SQL keeps a checkpoint only when one of its brackets passes the rule's necessary
price test (``CANDIDATE``). On a random month of two books (a design and a fair-value row, a
tight risk state so that trades are also blocked), the model's rows must equal
``domain.backtest.backtest`` over every test-period row inside the window with an ask.
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa

from domain.backtest import BacktestTrade, EngineRow, backtest
from domain.risk import RiskLimits

MODEL = (
    Path(__file__).resolve().parents[2]
    / "dbt_project"
    / "models"
    / "marts"
    / "thresholds"
    / "fct_backtest_trades.py"
)
META = {"risk_scope": "data_source", "stake_min": "5.00", "stake_max": "10.00"}
E4, E6 = Decimal("0.0001"), Decimal("0.000001")
BOOKS = (("KDEN", "HIGH", "design", -7), ("KMDW", "LOW", "fair_value", -6))


class _Config:
    def __call__(self, **_: Any) -> None:
        return None

    def meta_get(self, key: str, default: Any = None) -> Any:
        return META.get(key, default)


class _Dbt:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.config = _Config()

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        return self.con.table(name)


def _load_model() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fct_backtest_trades", MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(seed: int) -> list[EngineRow]:
    rng = random.Random(seed)
    rows = []
    for day_index in range(14):
        day = date(2025, 8, 1) + timedelta(days=day_index)
        for station, contract, _, offset in BOOKS:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=offset)
            low = rng.randint(40, 60)
            winner = rng.randint(0, 5)
            for minute in range(540, 1441, 60):
                extreme = rng.choice([None, low + rng.randint(0, 10)])
                age = Decimal(rng.randint(0, 30)).quantize(E4)
                for n in range(6):
                    lower = None if n == 0 else low + 2 * n - 1
                    upper = None if n == 5 else low + 2 * n
                    # Decimals at the warehouse's scales, as the model reads them back.
                    ask = rng.choice([None, (Decimal(rng.randint(1, 99)) / 100).quantize(E4)])
                    rows.append(
                        EngineRow(
                            data_source="simulated",
                            station_icao=station,
                            contract_type=contract,
                            climate_date=day,
                            checkpoint_minute=minute,
                            market_ticker=f"{station}-{day:%y%m%d}-{n}",
                            checkpoint_at=start + timedelta(minutes=minute),
                            running_extreme_f=extreme,
                            observation_age_minutes=age,
                            bracket_lower=lower,
                            bracket_upper=upper,
                            headroom_f=None,
                            yes_bid_dollars=None,
                            yes_ask_dollars=ask,
                            model_probability=Decimal(rng.randint(0, 1000000)).scaleb(-6),
                            fee_type="quadratic",
                            fee_multiplier=Decimal(1).quantize(E6),
                            result="yes" if n == winner else "no",
                            settled_at=start + timedelta(hours=rng.choice([20, 26, 40])),
                        )
                    )
    return rows


THRESHOLDS = {
    ("simulated", station, contract): {
        "data_source": "simulated",
        "station_icao": station,
        "contract_type": contract,
        "rule": rule,
        "window_start_minute": 600,
        "window_end_minute": 1380,
        "buffer_f": 1,
        "accuracy": Decimal("0.8500"),
        "min_edge": Decimal("0.0500"),
        "tier": "A" if rule == "design" else "FV",
        "verdict": "GO",
        "max_obs_age_minutes": 20,
        "stake_min": Decimal("5.00"),
        "stake_max": Decimal("10.00"),
    }
    for station, contract, rule, _ in BOOKS
}


def _warehouse(rows: list[EngineRow]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table dim_station_thresholds (data_source varchar, station_icao varchar, "
        "contract_type varchar, rule varchar, window_start_minute integer, "
        "window_end_minute integer, buffer_f integer, accuracy decimal(18, 4), "
        "min_edge decimal(18, 4), tier varchar, verdict varchar, max_obs_age_minutes integer, "
        "stake_min decimal(18, 2), stake_max decimal(18, 2))"
    )
    con.executemany(
        "insert into dim_station_thresholds values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [list(record.values()) for record in THRESHOLDS.values()],
    )
    con.execute(
        "create table int_thresholds_engine_inputs (data_source varchar, station_icao varchar, "
        "contract_type varchar, climate_date date, checkpoint_minute integer, "
        "market_ticker varchar, checkpoint_at timestamptz, sample_period varchar, "
        "running_extreme_f integer, observation_age_minutes decimal(18, 4), "
        "bracket_lower integer, bracket_upper integer, headroom_f integer, "
        "yes_bid_dollars decimal(18, 4), yes_ask_dollars decimal(18, 4), "
        "model_probability decimal(18, 6), fee_type varchar, fee_multiplier decimal(18, 6), "
        "result varchar, settled_at timestamptz)"
    )
    # One Arrow table (row-by-row inserts would dominate the test's time).
    names = list(EngineRow._fields)
    columns = {name: [getattr(row, name) for row in rows] for name in names}
    con.register("__rows", pa.table(columns))
    con.execute(
        f"insert into int_thresholds_engine_inputs by name "
        f"select {', '.join(names)}, 'test' as sample_period from __rows"
    )
    return con


def test_the_candidate_replay_equals_the_replay_of_every_checkpoint() -> None:
    rows = _rows(seed=5)
    con = _warehouse(rows)
    relation = _load_model().model(_Dbt(con), con)
    got = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]

    inside = sorted(
        (
            row
            for row in rows
            if 600 <= row.checkpoint_minute <= 1380 and row.yes_ask_dollars is not None
        ),
        key=lambda row: (row.checkpoint_at, row.station_icao, row.market_ticker),
    )
    limits = RiskLimits(stake_min=Decimal("5.00"), stake_max=Decimal("10.00"))
    expected = backtest(inside, THRESHOLDS, limits, "data_source")
    assert len(expected) > 10 and any(not trade.is_executed for trade in expected)
    # The engine's trades typed as the mart types them (decimal scales, timestamps).
    module = _load_model()
    names = [field.name for field in fields(BacktestTrade)]
    typed = module._typed_relation(
        con,
        [tuple(getattr(trade, name) for name in names) for trade in expected],
        [(name, module.SQL_TYPES[name]) for name in names],
    )
    want = [dict(zip(typed.columns, row, strict=True)) for row in typed.fetchall()]
    assert got == want
