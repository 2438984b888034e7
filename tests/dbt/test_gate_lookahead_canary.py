"""Lookahead canary for the go/kill gate marts.

Build the gate marts on a small simulated warehouse, snapshot every value at (and before) one
checkpoint instant T, then rewrite every observation that becomes available after T and every
price quoted after T, rebuild, and check that nothing at or before T moved, while values after
T did move (so the test has teeth).

T is checkpoint 720 (noon LST) of the last climate date at KMDW (UTC-6): 18:00Z. The last
date lies in the test period of the train/test split, so the probability model (fitted on
train days only) may not depend on anything after T either. Marts keyed by checkpoint minute
pool days, so for them "at T" means every checkpoint minute <= 720 (at or before T at both
stations: KNYC is UTC-5). fct_market_calibration is keyed by hours to close: the rewritten
quotes all lie less than 12 h before their market's close, so buckets starting at >= 12 h must
not move. The threshold search and backtest are whole-period aggregates: they
are covered through int_gate_market_checkpoints, the values their trades are taken from.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_dbt

STATIONS = ("KMDW", "KNYC")
START = date(2025, 3, 1)
END = date(2025, 3, 12)
CHECKPOINT_MINUTE = 720
T = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)  # KMDW 2025-03-12 12:00 LST
# The sample has only ~8 train days: let the pmf use them rather than the 30-day minimum.
DBT_VARS = "{gate_delta_min_samples: 3}"
SELECT = [
    "--select",
    "+fct_accuracy_by_window",
    "+fct_extreme_delta_distribution",
    "+fct_historical_edge",
    "+fct_market_calibration",
]

# (relation, filter for "at or before T", filter for "after T")
CHECKED: list[tuple[str, str, str]] = [
    (
        "int_running_extremes",
        f"checkpoint_at <= '{T.isoformat()}'",
        f"checkpoint_at > '{T.isoformat()}'",
    ),
    (
        "int_gate_contract_checkpoints",
        f"checkpoint_at <= '{T.isoformat()}'",
        f"checkpoint_at > '{T.isoformat()}'",
    ),
    (
        "int_gate_market_checkpoints",
        f"checkpoint_at <= '{T.isoformat()}'",
        f"checkpoint_at > '{T.isoformat()}'",
    ),
    (
        "fct_accuracy_by_window",
        f"checkpoint_minute <= {CHECKPOINT_MINUTE}",
        f"checkpoint_minute > {CHECKPOINT_MINUTE}",
    ),
    (
        "fct_extreme_delta_distribution",
        f"checkpoint_minute <= {CHECKPOINT_MINUTE}",
        f"checkpoint_minute > {CHECKPOINT_MINUTE}",
    ),
    (
        "fct_historical_edge",
        f"checkpoint_minute <= {CHECKPOINT_MINUTE}",
        f"checkpoint_minute > {CHECKPOINT_MINUTE}",
    ),
    ("fct_market_calibration", "hours_to_close_min >= 12", "hours_to_close_min < 12"),
]
MUST_CHANGE_AFTER_T = {
    "int_running_extremes",
    "int_gate_market_checkpoints",
    "fct_accuracy_by_window",
    "fct_market_calibration",
}


def _normalise(value: object) -> object:
    # Parallel float sums may differ in the last bits between builds.
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(path: Path, relation: str, where: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"select * from main.{relation} where {where}").fetchall()
    finally:
        con.close()
    return sorted((tuple(_normalise(v) for v in row) for row in rows), key=repr)


def _build(warehouse: Path, work_dir: Path) -> None:
    args = ["build", *SELECT, "--resource-type", "seed", "--resource-type", "model"]
    result = run_dbt([*args, "--vars", DBT_VARS], warehouse, work_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _rewrite_after_t(path: Path) -> tuple[int, int]:
    """Change every observation available after T and every price quoted after T."""
    con = duckdb.connect(str(path))
    try:
        # available_at = valid_at + the publication delay of var obs_publication_delay_minutes
        obs = con.execute(
            """
            update raw_iem.asos_observations
            set
                temp_c_tenths = temp_c_tenths + case when minute(valid_at) % 10 = 0
                    then 10 else -10 end,
                temp_c_whole = temp_c_whole + case when minute(valid_at) % 10 = 0
                    then 10 else -10 end,
                temp_f_reported = temp_f_reported + case when minute(valid_at) % 10 = 0
                    then 18 else -18 end
            where valid_at + to_minutes(case report_type when 1 then 15 else 5 end) > ?
            """,
            [T],
        ).fetchall()
        prices = con.execute(
            """
            update raw_kalshi.candlesticks
            set
                yes_ask_close_dollars = case
                    when try_cast(yes_ask_close_dollars as double) < 0.5 then '0.9000'
                    else '0.0300'
                end,
                yes_bid_close_dollars = case
                    when try_cast(yes_ask_close_dollars as double) < 0.5 then '0.8800'
                    else '0.0100'
                end
            where end_period_ts > ?
            """,
            [T],
        ).fetchall()
    finally:
        con.close()
    return int(obs[0][0]), int(prices[0][0])


@pytest.mark.dbt
def test_no_mart_value_at_a_checkpoint_depends_on_later_data(
    warehouse: Path, tmp_path: Path
) -> None:
    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

    run_sample([station_by_icao(code) for code in STATIONS], START, END)
    _build(warehouse, tmp_path / "first")
    before = {rel: _snapshot(warehouse, rel, at) for rel, at, _ in CHECKED}
    after_t_before = {rel: _snapshot(warehouse, rel, later) for rel, _, later in CHECKED}
    for relation, rows in before.items():
        assert rows, f"{relation} has no rows at or before T: the canary would prove nothing"

    changed_obs, changed_prices = _rewrite_after_t(warehouse)
    assert changed_obs > 0 and changed_prices > 0

    _build(warehouse, tmp_path / "second")
    for relation, at, later in CHECKED:
        now = _snapshot(warehouse, relation, at)
        assert now == before[relation], f"{relation}: a value at or before T changed"
        if relation in MUST_CHANGE_AFTER_T:
            assert _snapshot(warehouse, relation, later) != after_t_before[relation], (
                f"{relation}: nothing after T changed, so the canary has no teeth"
            )
