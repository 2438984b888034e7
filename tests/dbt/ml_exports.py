"""Fixtures of the parquet files models_ml writes under exports/ml (the dbt source ``ml``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

# data_source, model, station_icao, contract_type, test_days, log_loss, brier, rps,
# calibration_error, baseline_log_loss (binary fractions: the marts' doubles compare exactly)
EVALUATION = (
    ("simulated", "empirical", "KMDW", "HIGH", 5, 1.5, 0.5, 0.25, 0.0625, 1.5),
    ("simulated", "catboost_ordinal", "KMDW", "HIGH", 5, 1.25, 0.375, 0.1875, 0.03125, 1.5),
    ("simulated", "catboost_multiclass", "KMDW", "HIGH", 5, 1.75, 0.625, 0.3125, 0.125, 1.5),
    ("simulated", "empirical", "KNYC", "LOW", 4, 2.0, 0.625, 0.375, 0.125, 2.0),
    ("simulated", "catboost_ordinal", "KNYC", "LOW", 4, 2.25, 0.5, 0.5, 0.0625, 2.0),
)
EVALUATION_COLUMNS = (
    "data_source varchar, model varchar, station_icao varchar, contract_type varchar, "
    "test_days bigint, log_loss double, brier double, rps double, calibration_error double, "
    "baseline_log_loss double"
)
# data_source, model, station_icao, contract_type, bin, mean_predicted, observed_rate, n
EVALUATION_BINS = tuple(
    ("simulated", model, "KMDW", "HIGH", b, b / 10 + 0.05, min(b / 10 + shift, 1.0), 40 - 3 * b)
    for model, shift in (("empirical", 0.1), ("catboost_ordinal", 0.05))
    for b in range(10)
)
EVALUATION_BINS_COLUMNS = (
    "data_source varchar, model varchar, station_icao varchar, contract_type varchar, "
    "bin bigint, mean_predicted double, observed_rate double, n bigint"
)
FEATURE_IMPORTANCE = tuple(
    ("simulated", model, feature, importance)
    for model in ("catboost_ordinal", "catboost_multiclass")
    for feature, importance in (
        ("checkpoint_minute", 40.0),
        ("running_extreme_precision", 25.0),
        ("temp_slope_60m", 20.0),
        ("forecast_high_minus_running", 15.0),
    )
)
FEATURE_IMPORTANCE_COLUMNS = (
    "data_source varchar, model varchar, feature varchar, importance double"
)
PREDICTIONS_COLUMNS = (
    "data_source varchar, model varchar, station_icao varchar, contract_type varchar, "
    "climate_date date, checkpoint_minute bigint, market_ticker varchar, probability varchar, "
    "model_id varchar"
)


def _write(path: Path, columns: str, rows: tuple[tuple[object, ...], ...]) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"create table t ({columns})")
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"insert into t values ({marks})", [list(r) for r in rows])
        con.execute(f"copy t to '{path}' (format parquet)")
    finally:
        con.close()


def write_ml_exports(folder: Path, predictions: tuple[tuple[object, ...], ...] = ()) -> None:
    """Write the four files models_ml exports into ``folder`` (created).

    Args:
        folder: ``exports/ml`` beside the warehouse file.
        predictions: rows of ``predictions.parquet`` (columns ``PREDICTIONS_COLUMNS``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "evaluation.parquet", EVALUATION_COLUMNS, EVALUATION)
    _write(folder / "evaluation_bins.parquet", EVALUATION_BINS_COLUMNS, EVALUATION_BINS)
    _write(folder / "feature_importance.parquet", FEATURE_IMPORTANCE_COLUMNS, FEATURE_IMPORTANCE)
    _write(folder / "predictions.parquet", PREDICTIONS_COLUMNS, predictions)
