"""Compare the pandas baseline (``bench.pandas_baseline``) with the dbt marts, row for row."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from bench.pandas_baseline import BUFFERS, COMPARED, OUTPUT_KEY, frame


def compare_days(con: duckdb.DuckDBPyConnection, records: pd.DataFrame) -> dict[str, object]:
    """Compare per-day records with ``int_gate_contract_checkpoints`` (the mart's parent).

    Used when the loop ran on a sample of station-days: the aggregate cannot be compared, the
    per-day running extreme, bracket headroom and correctness can.
    """
    if records.empty:
        return {"compared_rows": 0, "mismatched_rows": 0, "missing_rows": 0, "equal": True}
    keys = records[["data_source", "station_icao", "climate_date"]].drop_duplicates()
    con.register("sampled_days", keys)
    try:
        mart = frame(
            con,
            "select c.data_source, c.station_icao, c.contract_type, c.checkpoint_minute, "
            "c.climate_date, c.running_extreme_f, "
            "case when c.running_bracket_market_ticker is null then -1 "
            f"when c.is_running_bracket_open_ended then {max(BUFFERS)} "
            f"else least(c.running_bracket_headroom_f, {max(BUFFERS)}) end as mart_headroom, "
            "c.has_settled_ladder, c.is_running_bracket_yes "
            "from main.int_gate_contract_checkpoints as c "
            "inner join sampled_days as s on c.data_source = s.data_source "
            "and c.station_icao = s.station_icao and c.climate_date = s.climate_date "
            "where c.running_extreme_f is not null",
        )
    finally:
        con.unregister("sampled_days")
    on = ["data_source", "station_icao", "contract_type", "checkpoint_minute", "climate_date"]
    merged = records.merge(mart, on=on, how="outer", indicator=True)
    both = merged[merged["_merge"] == "both"]
    bad = both["running_extreme_f_x"].astype("int64") != both["running_extreme_f_y"].astype("int64")
    bad |= both["mart_headroom"].astype("int64") != both["headroom_capped_f"].astype("int64")
    bad |= both["has_settled_ladder_x"].astype(bool) != both["has_settled_ladder_y"].astype(bool)
    correct_mart = both["is_running_bracket_yes"].fillna(False).astype(bool)
    bad |= both["is_correct"].astype(bool) != correct_mart
    missing = int((merged["_merge"] != "both").sum())
    return {
        "compared_rows": len(both),
        "mismatched_rows": int(bad.sum()),
        "missing_rows": missing,
        "equal": bool(bad.sum() == 0 and missing == 0),
        "examples": [str(r) for r in both[bad].head(3).to_dict("records")],
    }


def read_mart(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The mart's rows, in the baseline's columns."""
    return frame(
        con,
        f"select {', '.join(OUTPUT_KEY + COMPARED)} from main.fct_accuracy_by_window",
    )


@dataclass
class Comparison:
    """Baseline vs mart."""

    baseline_rows: int
    mart_rows: int
    mismatched_rows: int
    missing_in_mart: int
    missing_in_baseline: int
    max_accuracy_diff: float
    examples: list[str]

    @property
    def equal(self) -> bool:
        """Same keys, same counts, accuracies within 1e-9."""
        return (
            self.mismatched_rows == 0
            and self.missing_in_mart == 0
            and self.missing_in_baseline == 0
        )


def compare(baseline: pd.DataFrame, mart: pd.DataFrame) -> Comparison:
    """Join on the output key and compare every counted column and the accuracy."""
    left = baseline.copy()
    right = mart.copy()
    for side in (left, right):
        side["checkpoint_minute"] = side["checkpoint_minute"].astype("int64")
        side["buffer_f"] = side["buffer_f"].astype("int64")
        side["period_value"] = side["period_value"].astype(str)
    merged = left.merge(
        right, on=OUTPUT_KEY, how="outer", suffixes=("_pandas", "_mart"), indicator=True
    )
    missing_in_mart = int((merged["_merge"] == "left_only").sum())
    missing_in_baseline = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    bad = pd.Series(False, index=both.index)
    for column in COMPARED[:-1]:
        bad |= both[f"{column}_pandas"].astype("int64") != both[f"{column}_mart"].astype("int64")
    acc_p = pd.to_numeric(both["accuracy_pandas"], errors="coerce")
    acc_m = pd.to_numeric(both["accuracy_mart"], errors="coerce")
    diff = (acc_p - acc_m).abs()
    bad |= (diff > 1e-9) | (acc_p.isna() != acc_m.isna())
    examples = [str(row) for row in both[bad].head(3).to_dict("records")]
    examples += [str(row) for row in merged[merged["_merge"] != "both"].head(3).to_dict("records")]
    return Comparison(
        baseline_rows=len(left),
        mart_rows=len(right),
        mismatched_rows=int(bad.sum()),
        missing_in_mart=missing_in_mart,
        missing_in_baseline=missing_in_baseline,
        max_accuracy_diff=float(diff.max()) if len(diff) and diff.notna().any() else 0.0,
        examples=examples,
    )
