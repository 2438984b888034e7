"""Score the delta models and the empirical pmf on the gate's test period.

Every model is scored on the same rows (test checkpoints the empirical pmf covers) and the same
classes (each station's grid, the target clipped to it), so the figures compare like with like.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models_ml.distribution import ClassGrid, FloatArray, score
from models_ml.estimators import DeltaModel

EMPIRICAL = "empirical"
PMF_KEY = ["data_source", "station_icao", "contract_type", "checkpoint_minute", "season"]
EVALUATION_COLUMNS = [
    "data_source",
    "model",
    "station_icao",
    "contract_type",
    "test_days",
    "log_loss",
    "brier",
    "rps",
    "calibration_error",
    "baseline_log_loss",
]
BINS_COLUMNS = [
    "data_source",
    "model",
    "station_icao",
    "contract_type",
    "bin",
    "mean_predicted",
    "observed_rate",
    "n",
]
IMPORTANCE_COLUMNS = ["data_source", "model", "feature", "importance"]


def empirical_pmf(rows: pd.DataFrame, pmf: pd.DataFrame, grid: ClassGrid) -> FloatArray:
    """The empirical pmf of each row's station x contract x checkpoint x season on ``grid``.

    Args:
        rows: feature rows (one data source and contract type).
        pmf: ``int_extreme_delta_pmf`` rows (``models_ml.dataset.load_empirical_pmf``).
        grid: the classes (mass outside a station's grid folds onto its ends).

    Returns:
        n x K probabilities; a row the pmf does not cover is all NaN.
    """
    keyed = rows[PMF_KEY].reset_index(drop=True).assign(row_number=np.arange(len(rows)))
    joined = keyed.merge(pmf, on=PMF_KEY, how="inner")
    matrix = np.zeros((len(rows), grid.size))
    index = np.clip(joined["delta_f"].to_numpy(dtype=np.int64) - grid.low, 0, grid.size - 1)
    np.add.at(
        matrix,
        (joined["row_number"].to_numpy(), index),
        joined["smoothed_probability"].to_numpy(dtype=float),
    )
    covered = matrix.sum(axis=1) > 0
    totals = np.where(covered, matrix.sum(axis=1), 1.0)
    folded = grid.fold(matrix / totals[:, None], rows["station_icao"].reset_index(drop=True))
    folded[~covered] = np.nan
    return folded


def evaluate_contract(
    rows: pd.DataFrame, models: dict[str, DeltaModel], pmf: pd.DataFrame
) -> tuple[list[dict[str, object]], list[pd.DataFrame]]:
    """Scores per station of the empirical pmf and each model on one contract type's test rows.

    Args:
        rows: test feature rows of one data source x contract type.
        models: fitted models by kind (sharing one grid).
        pmf: the empirical pmf rows.

    Returns:
        Evaluation records (``EVALUATION_COLUMNS``) and reliability bin frames.
    """
    grid = next(iter(models.values())).grid
    rows = rows.reset_index(drop=True)
    baseline = empirical_pmf(rows, pmf, grid)
    covered = ~np.isnan(baseline).any(axis=1)
    rows, baseline = rows[covered].reset_index(drop=True), baseline[covered]
    predictions = {EMPIRICAL: baseline} | {
        kind: model.predict_pmf(rows) for kind, model in models.items()
    }
    records: list[dict[str, object]] = []
    bins = []
    for station, group in rows.groupby("station_icao"):
        mask = (rows["station_icao"] == station).to_numpy()
        target = grid.target(group["station_icao"], group["delta_f"])
        scores = {
            name: score(pmf_rows[mask], target, grid, group["station_icao"])
            for name, pmf_rows in predictions.items()
        }
        for name, result in scores.items():
            labels = {
                "data_source": str(group["data_source"].iloc[0]),
                "model": name,
                "station_icao": str(station),
                "contract_type": str(group["contract_type"].iloc[0]),
            }
            records.append(
                labels
                | {
                    "test_days": int(group["climate_date"].nunique()),
                    "log_loss": result.log_loss,
                    "brier": result.brier,
                    "rps": result.rps,
                    "calibration_error": result.calibration_error,
                    "baseline_log_loss": scores[EMPIRICAL].log_loss,
                }
            )
            bins.append(result.bins.assign(**labels))
    return records, bins


def importance_rows(data_source: str, models: dict[str, DeltaModel]) -> list[dict[str, object]]:
    """Feature importances per model kind (one data source and contract type)."""
    return [
        {"data_source": data_source, "model": kind, "feature": feature, "importance": value}
        for kind, model in models.items()
        for feature, value in model.feature_importance().items()
    ]
