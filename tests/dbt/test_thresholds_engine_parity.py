"""The vectorised SQL parameter search picks the trades the decision engine picks.

One small simulated warehouse (one station, 90 climate days: about 63 train and 27 test days) is
loaded and built up to the thresholds marts once for the module. Then:

- for the chosen thresholds, the test-period trades of the SQL search
  (``int_thresholds_candidate_trades``) are exactly the orders the engine replay wanted in
  ``fct_backtest_trades`` (same days, checkpoints, tickers, prices and sizes). The one documented
  difference: only the engine applies the risk limits, so some of its orders are blocked
  (``is_executed = false``, a ``risk_limit_*`` reason) - they are still the same orders;
- on a deterministic sample of (candidate, day) pairs over ALL candidates and both periods,
  ``domain.decision.decide`` (no risk gate) run checkpoint by checkpoint from the window start
  on the same inputs buys the same bracket at the same checkpoint as the SQL search, or nothing
  when the SQL search has no trade;
- the exports land beside the throwaway warehouse and load into ``StationThresholds``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import run_dbt

STATION = "KDEN"
START = date(2025, 5, 1)
END = date(2025, 7, 29)
DBT_VARS = "{thresholds_min_train_trades: 5}"
SAMPLE_SIZE = 160
SEED = 20251121

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throwaway warehouse with the sample loaded and the thresholds marts built."""
    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

    root = tmp_path_factory.mktemp("thresholds")
    path = root / "warehouse" / "kalshi_weather.duckdb"
    path.parent.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_PATH", str(path))
        run_sample([station_by_icao(STATION)], START, END)
    result = run_dbt(
        [
            "build",
            "--select",
            "+fct_backtest_daily",
            "+rpt_station_thresholds_export",
            "--vars",
            DBT_VARS,
            "--indirect-selection",
            "cautious",
        ],
        path,
        root,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    yield path


def _rows(path: Path, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_sql_search_and_engine_replay_pick_the_same_test_trades(built: Path) -> None:
    sql = _rows(
        built,
        """
        select t.data_source, t.station_icao, t.contract_type, t.climate_date,
               t.checkpoint_minute, t.market_ticker, t.yes_ask_dollars, t.contract_count
        from int_thresholds_candidate_trades as t
        inner join dim_station_thresholds as d
            on t.data_source = d.data_source and t.station_icao = d.station_icao
            and t.contract_type = d.contract_type and t.rule = d.rule
            and t.window_start_minute = d.window_start_minute and t.buffer_f = d.buffer_f
            and t.min_edge = d.min_edge
        where t.sample_period = 'test'
        """,
    )
    engine = _rows(
        built,
        """
        select data_source, station_icao, contract_type, climate_date, checkpoint_minute,
               market_ticker, yes_ask_dollars, contract_count, is_executed, reason_code
        from fct_backtest_trades
        """,
    )
    assert sql, "the chosen thresholds trade nothing in the test period: no teeth"
    key = ("data_source", "station_icao", "contract_type", "climate_date")
    fields = ("checkpoint_minute", "market_ticker", "yes_ask_dollars", "contract_count")
    sql_picks = {tuple(r[k] for k in key): tuple(r[f] for f in fields) for r in sql}
    engine_picks = {tuple(r[k] for k in key): tuple(r[f] for f in fields) for r in engine}
    assert engine_picks == sql_picks
    # The documented difference: risk limits block some engine orders, nothing else does.
    for row in engine:
        if not row["is_executed"]:
            assert row["reason_code"].startswith("risk_limit_"), row


def _engine_first_trade(
    candidate: dict[str, Any], checkpoints: list[dict[str, Any]], inputs: list[dict[str, Any]]
) -> tuple[int, str] | None:
    """Run decide() from the window start on one day; the first BUY_YES as (minute, ticker)."""
    from domain.brackets import Bracket
    from domain.decision import DecisionInput, LadderQuote, StationThresholds, decide

    thresholds = StationThresholds(
        station_icao=candidate["station_icao"],
        contract_type=candidate["contract_type"],
        rule=candidate["rule"],
        window_start_minute=candidate["window_start_minute"],
        window_end_minute=candidate["window_end_minute"],
        buffer_f=candidate["buffer_f"],
        accuracy=candidate["accuracy"],
        min_edge=candidate["min_edge"],
        tier=candidate["tier"],
        verdict="GO",
        max_obs_age_minutes=candidate["max_obs_age_minutes"],
        stake_min=Decimal("5.00"),
        stake_max=Decimal("10.00"),
    )
    for checkpoint in checkpoints:
        minute = checkpoint["checkpoint_minute"]
        if minute < thresholds.window_start_minute:
            continue
        ladder = tuple(
            LadderQuote(
                market_ticker=row["market_ticker"],
                bracket=Bracket(row["bracket_lower"], row["bracket_upper"]),
                yes_ask=row["yes_ask_dollars"],
                yes_bid=row["yes_bid_dollars"],
                probability=row["model_probability"],
                fee_type=row["fee_type"],
                fee_multiplier=row["fee_multiplier"],
            )
            for row in inputs
            if row["checkpoint_minute"] == minute
        )
        decision = decide(
            DecisionInput(
                thresholds=thresholds,
                contract_type=thresholds.contract_type,
                climate_date=checkpoint["climate_date"],
                running_extreme_f=checkpoint["running_extreme_f"],
                observation_age_minutes=checkpoint["observation_age_minutes"],
                ladder=ladder,
                now=checkpoint["checkpoint_at"],
            )
        )
        assert decision.checkpoint_minute == minute
        if decision.is_trade:
            assert decision.market_ticker is not None
            return minute, decision.market_ticker
    return None


def test_engine_reproduces_the_sql_search_on_sampled_candidate_days(built: Path) -> None:
    candidates = _rows(
        built,
        f"""
        select c.data_source, c.station_icao, c.contract_type, c.rule, c.window_start_minute,
               c.buffer_f, c.min_edge, c.accuracy, c.tier,
               {1440} as window_end_minute, 20 as max_obs_age_minutes
        from int_thresholds_candidates as c
        order by all
        """,
    )
    days = _rows(
        built,
        """
        select distinct data_source, station_icao, contract_type, climate_date
        from int_thresholds_engine_inputs order by all
        """,
    )
    trades = _rows(
        built,
        """
        select data_source, station_icao, contract_type, rule, window_start_minute, buffer_f,
               min_edge, climate_date, checkpoint_minute, market_ticker
        from int_thresholds_candidate_trades
        """,
    )
    cand_key = ("data_source", "station_icao", "contract_type", "rule", "window_start_minute")
    sql_trade = {
        (*(t[k] for k in cand_key), t["buffer_f"], t["min_edge"], t["climate_date"]): (
            t["checkpoint_minute"],
            t["market_ticker"],
        )
        for t in trades
    }
    by_id = {(*(c[k] for k in cand_key), c["buffer_f"], c["min_edge"]): c for c in candidates}
    rng = random.Random(SEED)
    # Half the sample where the SQL search traded, half over all candidate-days.
    traded = sorted(sql_trade)
    picked = rng.sample(traded, min(len(traded), SAMPLE_SIZE // 2))
    all_pairs = [
        (*cid, d["climate_date"])
        for cid in sorted(by_id)
        for d in days
        if (d["data_source"], d["station_icao"], d["contract_type"]) == cid[:3]
    ]
    picked += rng.sample(all_pairs, min(len(all_pairs), SAMPLE_SIZE - len(picked)))
    assert len(traded) > 0 and len(picked) >= SAMPLE_SIZE // 2

    con = duckdb.connect(str(built), read_only=True)
    try:
        checked = mismatches = 0
        failures: list[str] = []
        for pair in picked:
            candidate = by_id[pair[:7]]
            data_source, station, contract, climate_date = (*pair[:3], pair[7])
            cursor = con.execute(
                "select * from int_thresholds_engine_inputs where data_source = ? "
                "and station_icao = ? and contract_type = ? and climate_date = ? "
                "order by checkpoint_minute, market_ticker",
                [data_source, station, contract, climate_date],
            )
            names = [d[0] for d in cursor.description or []]
            inputs = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            checkpoints = list({r["checkpoint_minute"]: r for r in inputs}.values())
            engine = _engine_first_trade(candidate, checkpoints, inputs)
            expected = sql_trade.get(pair)
            checked += 1
            if engine != expected:
                mismatches += 1
                failures.append(f"{pair}: engine {engine} != sql {expected}")
    finally:
        con.close()
    assert checked >= SAMPLE_SIZE // 2
    assert mismatches == 0, "\n".join(failures[:20])


def test_exports_are_written_beside_the_warehouse(built: Path) -> None:
    from domain.decision import StationThresholds

    exports = built.parent / "exports"
    parquet = exports / "station_thresholds.parquet"
    exported_json = exports / "station_thresholds.json"
    assert parquet.is_file() and exported_json.is_file()
    dim = _rows(built, "select * from dim_station_thresholds order by all")
    assert dim
    con = duckdb.connect()
    try:
        parquet_rows = con.execute(f"select count(*) from read_parquet('{parquet}')").fetchall()
    finally:
        con.close()
    assert parquet_rows[0][0] == len(dim)
    records = json.loads(exported_json.read_text())
    assert len(records) == len(dim)
    for record in records:
        assert isinstance(record["accuracy"], str) and isinstance(record["min_edge"], str)
        thresholds = StationThresholds.from_record(record)
        assert thresholds.verdict == record["verdict"]
        assert record["data_source"] in ("real", "simulated")
