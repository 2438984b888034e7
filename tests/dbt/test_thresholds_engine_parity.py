"""The vectorised SQL parameter search picks the trades the decision engine picks.

Two small simulated warehouses, each built up to the thresholds marts once: ``summer`` (KDEN,
90 climate days May-July: about 63 train and 27 test days, built here) and ``winter`` (the shared
``sample_warehouse``: KMDW and KNYC in two zones, 2025-03-01..12, spanning the 2025-03-09 DST
start, the backtest replayed with one risk book for both stations). On each:

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

And on ``winter``: a minimum edge exactly equal to a trade's expected value per contract (taken
from the engine) trades in both the SQL search (rebuilt with that one edge) and the engine.
"""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.decision import Decision
from tests.conftest import SAMPLE_DBT_VARS, built_once, query_rows, run_dbt

STATION = "KDEN"
START = date(2025, 5, 1)
END = date(2025, 7, 29)
DBT_VARS = "{thresholds_min_train_trades: 5}"
SAMPLE_SIZE = 160
# the candidates' fixed fields (vars thresholds_window_end_minute, gate_max_obs_age_minutes)
WINDOW_END = 1440
MAX_OBS_AGE = 20
CANDIDATE_KEY = ("data_source", "station_icao", "contract_type", "rule", "window_start_minute")
SEED = 20251121

pytestmark = pytest.mark.dbt


def _build_summer(root: Path) -> Path:
    """KDEN May-July loaded and built up to the thresholds marts (with data tests)."""
    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

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
    return path


@pytest.fixture(scope="module", params=["summer", "winter"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the sample loaded and the thresholds marts built (read it only)."""
    if request.param == "winter":
        path: Path = request.getfixturevalue("sample_warehouse")
        return path
    return built_once(tmp_path_factory, "thresholds_summer", _build_summer)


def test_sql_search_and_engine_replay_pick_the_same_test_trades(built: Path) -> None:
    sql = query_rows(
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
    engine = query_rows(
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


def _day_inputs(
    con: duckdb.DuckDBPyConnection, key: tuple[Any, ...]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(one row per checkpoint, every input row) of a (data_source, station, contract, day)."""
    cursor = con.execute(
        "select * from int_thresholds_engine_inputs where data_source = ? "
        "and station_icao = ? and contract_type = ? and climate_date = ? "
        "order by checkpoint_minute, market_ticker",
        list(key),
    )
    names = [d[0] for d in cursor.description or []]
    inputs = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return list({r["checkpoint_minute"]: r for r in inputs}.values()), inputs


def _engine_first_trade(
    candidate: dict[str, Any], checkpoints: list[dict[str, Any]], inputs: list[dict[str, Any]]
) -> Decision | None:
    """Run decide() from the window start on one day; the first BUY_YES decision."""
    from domain.brackets import Bracket
    from domain.decision import decide
    from domain.decision_input import DecisionInput, LadderQuote
    from domain.thresholds import StationThresholds

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
            return decision
    return None


def _pick(decision: Decision | None) -> tuple[int, str | None] | None:
    return None if decision is None else (decision.checkpoint_minute, decision.market_ticker)


def _candidates(path: Path) -> list[dict[str, Any]]:
    return query_rows(
        path,
        f"""
        select c.data_source, c.station_icao, c.contract_type, c.rule, c.window_start_minute,
               c.buffer_f, c.min_edge, c.accuracy, c.tier,
               {WINDOW_END} as window_end_minute, {MAX_OBS_AGE} as max_obs_age_minutes
        from int_thresholds_candidates as c
        order by all
        """,
    )


def _engine_days(path: Path) -> list[dict[str, Any]]:
    return query_rows(
        path,
        """
        select distinct data_source, station_icao, contract_type, climate_date
        from int_thresholds_engine_inputs order by all
        """,
    )


def test_engine_reproduces_the_sql_search_on_sampled_candidate_days(built: Path) -> None:
    candidates = _candidates(built)
    days = _engine_days(built)
    trades = query_rows(
        built,
        """
        select data_source, station_icao, contract_type, rule, window_start_minute, buffer_f,
               min_edge, climate_date, checkpoint_minute, market_ticker
        from int_thresholds_candidate_trades
        """,
    )
    cand_key = CANDIDATE_KEY
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
            checkpoints, inputs = _day_inputs(con, (data_source, station, contract, climate_date))
            engine = _pick(_engine_first_trade(candidate, checkpoints, inputs))
            expected = sql_trade.get(pair)
            checked += 1
            if engine != expected:
                mismatches += 1
                failures.append(f"{pair}: engine {engine} != sql {expected}")
    finally:
        con.close()
    assert checked >= SAMPLE_SIZE // 2
    assert mismatches == 0, "\n".join(failures[:20])


def test_exports_are_written_beside_the_warehouse_one_data_source_each(built: Path) -> None:
    from domain.thresholds import StationThresholds

    exports = built.parent / "exports"
    dim = query_rows(
        built, "select data_source, count(*) as n from dim_station_thresholds group by all"
    )
    dim_counts = {row["data_source"]: row["n"] for row in dim}
    assert dim_counts.get("simulated", 0) > 0
    con = duckdb.connect()
    try:
        for stem, source in (
            ("station_thresholds", "real"),
            ("station_thresholds_simulated", "simulated"),
        ):
            parquet, exported_json = exports / f"{stem}.parquet", exports / f"{stem}.json"
            assert parquet.is_file() and exported_json.is_file()
            sources = con.execute(
                f"select data_source, count(*) from read_parquet('{parquet}') group by all"
            ).fetchall()
            # the trader's default file holds real rows only (none in the sample: empty)
            assert dict(sources) == ({source: dim_counts[source]} if source in dim_counts else {})
            records = json.loads(exported_json.read_text())
            assert len(records) == dim_counts.get(source, 0)
            for record in records:
                assert record["data_source"] == source
                assert isinstance(record["accuracy"], str) and isinstance(record["min_edge"], str)
                if source == "simulated":
                    with pytest.raises(ValueError, match="simulated"):
                        StationThresholds.from_record(record)
                thresholds = StationThresholds.from_record(record, allow_simulated=True)
                assert thresholds.verdict == record["verdict"]
    finally:
        con.close()


def _engine_trades(
    path: Path, candidate: dict[str, Any], days: list[dict[str, Any]]
) -> dict[date, Decision]:
    """The engine's first trade of ``candidate`` on each of its days (days without one left out)."""
    own = (candidate["data_source"], candidate["station_icao"], candidate["contract_type"])
    trades = {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        for day in days:
            if (day["data_source"], day["station_icao"], day["contract_type"]) != own:
                continue
            decision = _engine_first_trade(
                candidate, *_day_inputs(con, (*own, day["climate_date"]))
            )
            if decision is not None:
                trades[day["climate_date"]] = decision
    finally:
        con.close()
    return trades


def _is_test_edge(value: Decimal | None) -> bool:
    # a real edge (> 0) with 3-4 decimals: min_edge is decimal(18, 4) in the search, and a
    # search that kept only 2 decimals of the edge would round it away and trade differently
    return (
        value is not None
        and value > 0
        and value == value.quantize(Decimal("0.0001")) != value.quantize(Decimal("0.01"))
    )


def test_an_edge_equal_to_min_edge_trades_in_sql_and_engine(
    sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    """With min_edge = -1 the engine's first trade of a day is at the first checkpoint with any
    candidate; that trade's EV becomes the one minimum edge of a rebuilt SQL search, so at that
    checkpoint EV == min_edge exactly and both must still trade ("EV >= min edge")."""
    warehouse = sample_warehouse_copy
    days = _engine_days(warehouse)
    # min_edge does not change which (rule, window, buffer) candidates exist: one per id
    by_id = {
        tuple(c[k] for k in (*CANDIDATE_KEY, "buffer_f")): c
        for c in _candidates(warehouse)
        if c["buffer_f"] == 0
    }
    found = next(
        (
            ({**candidate, "min_edge": decision.expected_value_per_contract}, decision)
            for _, candidate in sorted(by_id.items())
            for decision in _engine_trades(
                warehouse, {**candidate, "min_edge": Decimal(-1)}, days
            ).values()
            if _is_test_edge(decision.expected_value_per_contract)
        ),
        None,
    )
    assert found, "no first trade with a positive 3-4 decimal EV: the case cannot be built"
    candidate, at_edge = found
    edge = candidate["min_edge"]
    edge_vars = SAMPLE_DBT_VARS[:-1] + f", thresholds_min_edges: [{edge}]}}"
    args = ["run", "--select", "int_thresholds_candidate_trades", "--vars", edge_vars]
    result = run_dbt(args, warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    sql = {
        row["climate_date"]: (row["checkpoint_minute"], row["market_ticker"])
        for row in query_rows(
            warehouse,
            f"""
            select climate_date, checkpoint_minute, market_ticker
            from int_thresholds_candidate_trades
            where data_source = '{candidate["data_source"]}'
                and station_icao = '{candidate["station_icao"]}'
                and contract_type = '{candidate["contract_type"]}'
                and rule = '{candidate["rule"]}'
                and window_start_minute = {candidate["window_start_minute"]}
                and buffer_f = 0 and min_edge = {edge}
            """,
        )
    }
    engine = {day: _pick(d) for day, d in _engine_trades(warehouse, candidate, days).items()}
    assert engine.get(at_edge.climate_date) == _pick(at_edge), (edge, at_edge)
    assert engine == sql, edge
