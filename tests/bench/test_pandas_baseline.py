"""The pandas baseline: its own logic on hand-made rows, and the loop against the mart.

The benchmark times the loop at scale; here the whole loop runs on the shared sample warehouse
(two stations, twelve March days) and must give ``fct_accuracy_by_window`` row for row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.pandas_baseline import Inputs, _bracket_of, accuracy_by_window, load_inputs
from bench.pandas_compare import compare, read_mart

LADDER = pd.DataFrame(
    {
        "market_ticker": ["X-T70", "X-B70.5", "X-B72.5", "X-T73"],
        "lower": [None, 70, 72, 74],
        "upper": [69, 71, 73, None],
        "result": ["no", "yes", "no", "no"],
    }
)


def test_bracket_headroom_follows_the_direction_of_travel() -> None:
    assert _bracket_of(LADDER, 70, "HIGH") == ("X-B70.5", 1)
    assert _bracket_of(LADDER, 71, "HIGH") == ("X-B70.5", 0)
    assert _bracket_of(LADDER, 71, "LOW") == ("X-B70.5", 1)
    assert _bracket_of(LADDER, 80, "HIGH") == ("X-T73", 3)  # open upward: nothing to cross
    assert _bracket_of(LADDER, 80, "LOW") == ("X-T73", 3)  # 80 - 74 capped at 3
    assert _bracket_of(LADDER.iloc[1:3], 60, "HIGH") == (None, -1)


def _inputs() -> Inputs:
    # KMDW is UTC-6: climate day 2025-01-01 runs 06:00Z..06:00Z next day.
    observations = pd.DataFrame(
        {
            "data_source": "simulated",
            "station": "KMDW",
            "valid_at": [
                datetime(2025, 1, 1, 6, 0, tzinfo=UTC),
                datetime(2025, 1, 1, 20, 0, tzinfo=UTC),
            ],
            "report_type": [1, 3],
            "temp_f_reported": [60.8, 71.96],
            "temp_c_tenths": [None, 22.2],
            "temp_c_whole": [16, 22],
        }
    )
    cli = pd.DataFrame(
        {
            "data_source": ["simulated"],
            "station": ["KMDW"],
            "climate_date": [date(2025, 1, 1)],
            "product_id": ["202501021236-KLOT-CDUS4X-CLIMDW"],
            "published_at": [datetime(2025, 1, 2, 12, 36, tzinfo=UTC)],
            "high_f": [72],
            "low_f": [61],
        }
    )
    markets = pd.DataFrame(
        {
            "data_source": "simulated",
            "market_ticker": [f"KXHIGHCHI-25JAN01-{s}" for s in ("T70", "B70.5", "B72.5", "T73")],
            "series_ticker": "KXHIGHCHI",
            "strike_type": ["less", "between", "between", "greater"],
            "floor_strike": [None, "70", "72", "73"],
            "cap_strike": ["70", "71", "73", None],
            "result": ["no", "no", "yes", "no"],
        }
    )
    return Inputs(observations, cli, markets)


def test_accuracy_by_window_on_one_day() -> None:
    out = accuracy_by_window(_inputs())
    high = out[
        (out["contract_type"] == "HIGH") & (out["period_type"] == "all") & (out["buffer_f"] == 0)
    ].set_index("checkpoint_minute")

    # 06:00Z obs (61 °F, HF: available 15 min later) counts from checkpoint 15; the 20:00Z
    # routine obs (22.2 °C = 72 °F, available 20:05Z = 14:05 LST) from checkpoint 855.
    assert high.loc[15, "day_count"] == 1 and high.loc[15, "correct_day_count"] == 0
    assert high.loc[840, "correct_day_count"] == 0
    assert high.loc[855, "correct_day_count"] == 1 and high.loc[855, "accuracy"] == 1.0
    assert len(high) == 96
    low = out[(out["contract_type"] == "LOW") & (out["period_type"] == "all")]
    assert low["day_count"].sum() == 0  # no LOW ladder loaded: no settled days


STATION = "KMDW"


@pytest.mark.dbt
def test_pandas_loop_reproduces_the_mart_on_the_sample(sample_warehouse: Path) -> None:
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        inputs = load_inputs(con)
        mart = read_mart(con)
    finally:
        con.close()
    # one station keeps the loop quick; the loop is per station-day, so nothing is lost
    inputs.observations = inputs.observations[inputs.observations["station"] == STATION]
    baseline = accuracy_by_window(inputs)
    mart = mart[mart["station_icao"] == STATION].reset_index(drop=True)
    assert len(mart) > 1000 and mart["day_count"].sum() > 0
    result = compare(baseline, mart)
    assert result.equal, result.examples
    assert result.baseline_rows == result.mart_rows == len(mart)

    # compare() has teeth: one count off by one, or one row missing, is a difference
    shifted = mart.copy()
    row = shifted.index[shifted["day_count"] > 0][0]
    shifted.loc[row, "correct_day_count"] = shifted.loc[row, "correct_day_count"] + 1
    assert compare(baseline, shifted).mismatched_rows == 1
    assert compare(baseline, mart.drop(index=row)).missing_in_mart == 1
