"""Train the delta models of every data source x contract type on the gate's train period.

Days of the train period (``sample_period = 'train'``) split in time: the last
``calibration_fraction`` of them calibrate, the days before them (less a gap) fit. Optuna tunes
the CatBoost depth, learning rate and L2 on expanding-window folds of the fit days (the
multiclass model's log loss, bounded in trials and seconds); both kinds then fit with the best
parameters. The test period is never read here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

from domain.layout import models_dir
from models_ml.calibration import IsotonicMap
from models_ml.distribution import ClassGrid, score
from models_ml.estimators import (
    MODEL_KINDS,
    MULTICLASS,
    DeltaModel,
    day_folds,
    fit_calibration,
    fit_model,
)
from models_ml.registry import data_hash, model_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    """How to train.

    Attributes:
        iterations: boosting rounds per booster.
        trials: Optuna trials (0 = the default parameters).
        timeout_seconds: Optuna's time bound per contract type.
        folds: expanding-window validation folds for tuning.
        gap_days: days between fit and validation/calibration days.
        calibration_fraction: share of the train days (the latest) kept to calibrate.
        thread_count: CatBoost threads.
    """

    iterations: int = 100
    trials: int = 10
    timeout_seconds: float = 300.0
    folds: int = 3
    gap_days: int = 2
    calibration_fraction: float = 0.2
    thread_count: int = 2

    def base_params(self) -> dict[str, Any]:
        """The parameters tuning starts from (and keeps when ``trials`` is 0)."""
        return {
            "iterations": self.iterations,
            "depth": 5,
            "learning_rate": 0.1,
            "l2_leaf_reg": 3.0,
            "thread_count": self.thread_count,
        }


def _day_numbers(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.int64]]:
    return pd.to_datetime(frame["climate_date"]).to_numpy().astype("datetime64[D]").astype(np.int64)


def tune(frame: pd.DataFrame, grid: ClassGrid, settings: TrainSettings) -> dict[str, Any]:
    """Optuna search of depth, learning rate and L2 on day-grouped expanding folds.

    Args:
        frame: the fit rows.
        grid: the classes.
        settings: trials, timeout, folds, gap.

    Returns:
        The best parameters (the defaults when no trial ran or no fold exists).
    """
    params = settings.base_params()
    days = _day_numbers(frame)
    splits = day_folds(np.unique(days), settings.folds, settings.gap_days)
    if settings.trials <= 0 or not splits:
        return params

    def objective(trial: optuna.Trial) -> float:
        candidate = params | {
            "depth": trial.suggest_int("depth", 3, 7),
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            "l2_leaf_reg": trial.suggest_float("l2_leaf_reg", 1.0, 20.0, log=True),
        }
        losses = []
        for fit_days, valid_days in splits:
            fit = frame[np.isin(days, fit_days)]
            valid = frame[np.isin(days, valid_days)]
            model = fit_model(MULTICLASS, fit, grid, candidate)
            target = grid.target(valid["station_icao"], valid["delta_f"])
            losses.append(score(model.raw_pmf(valid), target, grid, valid["station_icao"]).log_loss)
        return float(np.mean(losses))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=0))
    study.enqueue_trial({k: params[k] for k in ("depth", "learning_rate", "l2_leaf_reg")})
    study.optimize(objective, n_trials=settings.trials, timeout=settings.timeout_seconds)
    logger.info("tuning: %d trials, best log loss %.4f", len(study.trials), study.best_value)
    return params | study.best_params


def train_contract(
    frame: pd.DataFrame,
    data_source: str,
    contract_type: str,
    warehouse: Path,
    settings: TrainSettings,
    advance: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Fit, calibrate and save both kinds for one data source x contract type.

    Args:
        frame: feature rows of the train period of this data source and contract type.
        data_source: ``real`` or ``simulated``.
        contract_type: ``HIGH`` or ``LOW``.
        warehouse: the warehouse file (models go to ``models/`` beside it).
        settings: how to train.
        advance: called after each booster.

    Returns:
        The registry entries of the two models.
    """
    frame = frame.sort_values(["climate_date", "station_icao", "checkpoint_minute"])
    frame = frame.reset_index(drop=True)
    days = _day_numbers(frame)
    unique_days = np.unique(days)
    calibration_start = unique_days[int(len(unique_days) * (1 - settings.calibration_fraction))]
    fit = frame[days < calibration_start - settings.gap_days]
    held_out = frame[days >= calibration_start]
    if fit.empty or held_out.empty:
        raise ValueError(f"{data_source} {contract_type}: too few train days to fit and calibrate")
    grid = ClassGrid.from_train(frame["station_icao"], frame["delta_f"])
    params = tune(fit, grid, settings)
    digest = data_hash(frame)
    created_at = datetime.now(UTC).isoformat()
    entries = []
    for kind in MODEL_KINDS:
        model = fit_model(kind, fit, grid, params, advance)
        target = grid.target(held_out["station_icao"], held_out["delta_f"])
        raw = score(model.raw_pmf(held_out), target, grid, held_out["station_icao"])
        model.calibration = fit_calibration(model, held_out)
        identifier = model_id(kind, data_source, contract_type, digest, params)
        folder = models_dir(warehouse) / identifier
        entries.append(
            {
                "model_id": identifier,
                "model": kind,
                "data_source": data_source,
                "contract_type": contract_type,
                "created_at": created_at,
                "data_hash": digest,
                "params": params,
                "grid": grid.to_record(),
                "calibration": {"x": model.calibration.x, "y": model.calibration.y},
                "files": model.save(folder),
                "folder": identifier,
                "feature_importance": model.feature_importance(),
                "metrics": {
                    "fit_rows": len(fit),
                    "calibration_rows": len(held_out),
                    "calibration_log_loss_uncalibrated": raw.log_loss,
                },
            }
        )
    return entries


def load_model(warehouse: Path, entry: dict[str, Any]) -> DeltaModel:
    """The model of a registry entry."""
    calibration = IsotonicMap(tuple(entry["calibration"]["x"]), tuple(entry["calibration"]["y"]))
    return DeltaModel.load(
        entry["model"],
        ClassGrid.from_record(entry["grid"]),
        models_dir(warehouse) / entry["folder"],
        list(entry["files"]),
        calibration,
    )
