"""Lookahead canary for the go/kill gate marts.

On a copy of the shared sample warehouse (KMDW UTC-6 and KNYC UTC-5, 2025-03-01..12, gate marts
built), snapshot every value known at (or before) a probe instant T, then rewrite everything
that becomes known after T, rebuild, and check that no FEATURE known at T moved, while features
after T did move (so the test has teeth).

Probes: two test-period climate dates at both stations, each with its own T off the 15-minute
checkpoint grid (12:07 LST on 03-11, 16:43 LST on 03-12). After T of its day the rewrite changes:

- every observation of the day that becomes available after T (valid time + the publication
  delay of its report type, read from var ``obs_publication_delay_minutes`` in dbt_project.yml);
- every candle of the day's markets that ends after T;
- the day's final values (CLI and CF6 high/low) and the markets' outcomes (the YES moves to the
  next bracket of each ladder, so every ladder still settles exactly one YES; expiration value
  and settlement value follow).

The final value and the outcome are legitimately different after the rewrite wherever a model
reports them (``OUTCOMES``): they are compared only to prove the rewrite reached the models. Every
other column is a feature and must not move at or before T: a model that used the final CLI value
or Kalshi's result as a feature fails here. The probability model is fitted on train days only
(var ``gate_probability_fit_period``), so its train fit must not move at all.

Marts keyed by checkpoint minute pool days: for them "at T" is every checkpoint minute at or
before the earliest probe minute, "after T" every minute after the latest. fct_market_calibration
is keyed by hours to close: the rewritten quotes all lie less than 12 h before their market's
close (23:59 LST), so buckets starting at >= 12 h must not move. The threshold search and the
backtest are whole-period aggregates: they are covered through int_gate_market_checkpoints, the
values their trades are taken from.

Not covered: data of 03-12 before its own T is after T of 03-11 but is not rewritten, so a model
reading the next day's early observations into 03-11 would pass.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from domain.stations import station_by_icao, station_by_series
from domain.tickers import parse_ticker
from tests.conftest import REPO_ROOT, SAMPLE_GATE_MARTS, SAMPLE_STATIONS, build_sample_models

# (climate date, minutes after LST midnight): both in the test period, both off the grid
PROBES = ((date(2025, 3, 11), 727), (date(2025, 3, 12), 1003))
POOLED_AT = f"checkpoint_minute <= {min(minute for _, minute in PROBES)}"
POOLED_AFTER = f"checkpoint_minute > {max(minute for _, minute in PROBES)}"
CLI_SHIFT_F = 3

# Columns that are the outcome (final value, result) or computed from it.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "int_running_extremes": (),
    "int_gate_contract_checkpoints": (
        "final_value_f",
        "delta_f",
        "has_settled_ladder",
        "yes_market_ticker",
        "is_running_bracket_yes",
    ),
    "int_gate_market_checkpoints": ("result", "realised_pnl_dollars"),
    "fct_accuracy_by_window": (
        "correct_day_count",
        "accuracy",
        "accuracy_ci_low",
        "accuracy_ci_high",
        "running_equals_final_share",
    ),
    "fct_extreme_delta_distribution": (),
    "fct_historical_edge": (
        "win_count",
        "mean_realised_pnl_dollars",
        "realised_pnl_ci_low_dollars",
        "realised_pnl_ci_high_dollars",
        "total_realised_pnl_dollars",
        "win_rate",
        "win_rate_ci_low",
        "win_rate_ci_high",
    ),
    "fct_market_calibration": (
        "yes_count",
        "realised_yes_rate",
        "ci_low",
        "ci_high",
        "yes_rate_minus_price",
    ),
}
PER_DAY = ("int_running_extremes", "int_gate_contract_checkpoints", "int_gate_market_checkpoints")
MUST_CHANGE_AFTER_T = {
    "int_running_extremes",
    "int_gate_contract_checkpoints",
    "int_gate_market_checkpoints",
    "fct_accuracy_by_window",
    "fct_historical_edge",
    "fct_market_calibration",
}


def _probe_instants() -> dict[tuple[str, date], datetime]:
    """T of every probed (station, climate date)."""
    instants = {}
    for icao in SAMPLE_STATIONS:
        offset = timedelta(hours=station_by_icao(icao).std_utc_offset_hours)
        for day, minute in PROBES:
            midnight = datetime.combine(day, time(0), tzinfo=UTC) - offset
            instants[(icao, day)] = midnight + timedelta(minutes=minute)
    return instants


def _per_day_filters() -> tuple[str, str]:
    """(at or before T, after T) for relations with a station, climate date and checkpoint_at.

    Days before the first probe lie wholly before every T: all their rows count as "at T".
    """
    first = min(day for day, _ in PROBES)
    at = [f"climate_date < '{first}'"]
    after = []
    for (icao, day), instant in _probe_instants().items():
        this_day = f"station_icao = '{icao}' and climate_date = '{day}'"
        at.append(f"({this_day} and checkpoint_at <= '{instant.isoformat()}')")
        after.append(f"({this_day} and checkpoint_at > '{instant.isoformat()}')")
    return " or ".join(at), " or ".join(after)


def _checked() -> list[tuple[str, str, str]]:
    """(relation, filter for "at or before T", filter for "after T")."""
    at, after = _per_day_filters()
    return [
        *((relation, at, after) for relation in PER_DAY),
        ("fct_accuracy_by_window", POOLED_AT, POOLED_AFTER),
        # the train fit may not move at any checkpoint: no probe day is a train day
        ("fct_extreme_delta_distribution", "fit_period = 'train'", "false"),
        ("fct_historical_edge", POOLED_AT, POOLED_AFTER),
        ("fct_market_calibration", "hours_to_close_min >= 12", "hours_to_close_min < 12"),
    ]


def _normalise(value: object) -> object:
    # Parallel float sums may differ in the last bits between builds.
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    return sorted((tuple(_normalise(v) for v in row) for row in rows), key=repr)


def _features(path: Path, relation: str, where: str) -> list[tuple[object, ...]]:
    outcomes = OUTCOMES[relation]
    columns = f"* exclude ({', '.join(outcomes)})" if outcomes else "*"
    return _snapshot(path, f"select {columns} from main.{relation} where {where}")


def _outcomes(path: Path, relation: str, where: str) -> list[tuple[object, ...]]:
    return _snapshot(
        path, f"select {', '.join(OUTCOMES[relation])} from main.{relation} where {where}"
    )


def _delay_case() -> str:
    """available_at - valid_at by report type, from var obs_publication_delay_minutes."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    delays = project["vars"]["obs_publication_delay_minutes"]
    assert delays, "no publication delays in dbt_project.yml"
    whens = " ".join(f"when {int(kind)} then {int(minutes)}" for kind, minutes in delays.items())
    return f"case o.report_type {whens} end"


def _probe_frames(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(station-day probes, probed markets with their T), read from the warehouse's tickers."""
    instants = _probe_instants()
    days = pd.DataFrame(
        [
            {
                "station": icao,
                "climate_date": day,
                "t": instant,
                "offset_hours": station_by_icao(icao).std_utc_offset_hours,
            }
            for (icao, day), instant in instants.items()
        ]
    )
    markets = []
    for ticker, series in con.execute(
        "select distinct market_ticker, series_ticker from raw_kalshi.markets"
    ).fetchall():
        station, _ = station_by_series(series)
        instant = instants.get((station.icao, parse_ticker(ticker).climate_date))
        if instant is not None:
            markets.append({"market_ticker": ticker, "t": instant})
    return days, pd.DataFrame(markets)


def _rewrite_after_t(path: Path) -> dict[str, int]:
    """Change what becomes known after T; returns the rows changed per kind."""
    con = duckdb.connect(str(path))
    try:
        days, markets = _probe_frames(con)
        con.register("probe_days", days)
        con.register("probe_markets", markets)
        unknown = con.execute(
            f"select count(*) from raw_iem.asos_observations as o where {_delay_case()} is null"
        ).fetchall()[0][0]
        assert unknown == 0, "a report type without a publication delay in dbt_project.yml"
        changed = {}
        changed["observations"] = con.execute(
            f"""
            update raw_iem.asos_observations as o
            set
                temp_c_tenths = o.temp_c_tenths + case when minute(o.valid_at) % 10 = 0
                    then 10 else -10 end,
                temp_c_whole = o.temp_c_whole + case when minute(o.valid_at) % 10 = 0
                    then 10 else -10 end,
                temp_f_reported = o.temp_f_reported + case when minute(o.valid_at) % 10 = 0
                    then 18 else -18 end
            from probe_days as p
            where o.station = p.station
                and cast(timezone('UTC', o.valid_at) + to_hours(p.offset_hours) as date)
                    = p.climate_date
                and o.valid_at + to_minutes({_delay_case()}) > p.t
            """
        ).fetchall()[0][0]
        changed["candles"] = con.execute(
            """
            update raw_kalshi.candlesticks as c
            set
                yes_ask_close_dollars = case
                    when try_cast(c.yes_ask_close_dollars as double) < 0.5 then '0.9000'
                    else '0.0300'
                end,
                yes_bid_close_dollars = case
                    when try_cast(c.yes_ask_close_dollars as double) < 0.5 then '0.8800'
                    else '0.0100'
                end
            from probe_markets as m
            where c.market_ticker = m.market_ticker and c.end_period_ts > m.t
            """
        ).fetchall()[0][0]
        for table in ("cli_reports", "cf6_reports"):
            changed[table] = con.execute(
                f"""
                update raw_iem.{table} as r
                set high_f = r.high_f + {CLI_SHIFT_F}, low_f = r.low_f - {CLI_SHIFT_F}
                from probe_days as p
                where r.station = p.station and r.climate_date = p.climate_date
                """
            ).fetchall()[0][0]
        # the YES moves to the next market of the ladder (by ticker, wrapping round)
        changed["results"] = con.execute(
            f"""
            update raw_kalshi.markets as k
            set
                result = moved.result,
                settlement_value_dollars = case moved.result
                    when 'yes' then '1.0000' else '0.0000' end,
                expiration_value = cast(
                    try_cast(k.expiration_value as integer) + {CLI_SHIFT_F} as varchar
                )
            from (
                select
                    markets.market_ticker,
                    coalesce(
                        lag(markets.result) over ladder, last_value(markets.result) over whole
                    ) as result
                from raw_kalshi.markets as markets
                inner join probe_markets on markets.market_ticker = probe_markets.market_ticker
                window
                    ladder as (partition by markets.event_ticker order by markets.market_ticker),
                    whole as (
                        partition by markets.event_ticker order by markets.market_ticker
                        rows between unbounded preceding and unbounded following
                    )
            ) as moved
            where k.market_ticker = moved.market_ticker
            """
        ).fetchall()[0][0]
    finally:
        con.close()
    return changed


@pytest.mark.dbt
def test_no_feature_known_at_t_depends_on_later_data(
    sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    warehouse = sample_warehouse_copy
    checked = _checked()
    before = {rel: _features(warehouse, rel, at) for rel, at, _ in checked}
    after_t_before = {rel: _features(warehouse, rel, later) for rel, _, later in checked}
    per_day_at, _ = _per_day_filters()
    outcomes_before = {
        rel: _outcomes(warehouse, rel, per_day_at) for rel in PER_DAY if OUTCOMES[rel]
    }
    for relation, rows in before.items():
        assert rows, f"{relation} has no rows at or before T: the canary would prove nothing"
    for relation in MUST_CHANGE_AFTER_T:
        assert after_t_before[relation], f"{relation} has no rows after T"

    changed = _rewrite_after_t(warehouse)
    assert all(changed.values()), changed

    build_sample_models(warehouse, tmp_path, SAMPLE_GATE_MARTS, full_refresh=True)
    for relation, at, later in checked:
        assert _features(warehouse, relation, at) == before[relation], (
            f"{relation}: a feature at or before T changed"
        )
        if relation in MUST_CHANGE_AFTER_T:
            assert _features(warehouse, relation, later) != after_t_before[relation], (
                f"{relation}: no feature after T changed, so the canary has no teeth"
            )
    for relation, rows in outcomes_before.items():
        assert _outcomes(warehouse, relation, per_day_at) != rows, (
            f"{relation}: the rewritten final values and results did not reach it"
        )
