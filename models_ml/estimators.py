"""CatBoost delta models: ordinal (K-1 binary classifiers) and multiclass, calibrated.

Both predict a distribution over a contract type's ``ClassGrid``. The ordinal model fits one
classifier per threshold k for ``P(class >= k)`` and rearranges them to be monotone afterwards;
the multiclass model fits one softmax. Either is then calibrated by an isotonic map of its
cumulative probabilities ``P(delta <= k)``, fitted on a later, day-grouped fold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from models_ml.calibration import IsotonicMap, fit_isotonic
from models_ml.distribution import ClassGrid, FloatArray, IntArray, pmf_from_exceedance
from models_ml.features import CATEGORICAL_FEATURES, FEATURE_NAMES

logger = logging.getLogger(__name__)

ORDINAL = "catboost_ordinal"
MULTICLASS = "catboost_multiclass"
MODEL_KINDS = (ORDINAL, MULTICLASS)


def feature_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """The model input: ``FEATURE_NAMES`` with numbers as floats (None -> NaN)."""
    matrix = frame[list(FEATURE_NAMES)].copy()
    for name in FEATURE_NAMES:
        if name in CATEGORICAL_FEATURES:
            matrix[name] = matrix[name].astype(str)
        else:
            matrix[name] = pd.to_numeric(matrix[name], errors="coerce").astype(float)
    return matrix


def _classifier(
    params: dict[str, Any], loss: str, classes: int | None = None
) -> CatBoostClassifier:
    extra: dict[str, Any] = {}
    if classes is not None:
        extra["class_names"] = list(range(classes))
    return CatBoostClassifier(
        loss_function=loss,
        cat_features=list(CATEGORICAL_FEATURES),
        logging_level="Silent",
        allow_writing_files=False,
        random_seed=0,
        **params,
        **extra,
    )


@dataclass
class DeltaModel:
    """A fitted delta model of one contract type.

    Attributes:
        kind: ``catboost_ordinal`` or ``catboost_multiclass``.
        grid: the delta classes.
        boosters: the multiclass booster, or per ordinal threshold a booster or a constant
            probability (a threshold all fit rows are on one side of).
        calibration: isotonic map of the cumulative probabilities.
    """

    kind: str
    grid: ClassGrid
    boosters: list[CatBoostClassifier | float]
    calibration: IsotonicMap = field(default_factory=lambda: IsotonicMap((), ()))

    def raw_pmf(self, frame: pd.DataFrame) -> FloatArray:
        """Uncalibrated class probabilities, folded to each row's station grid."""
        matrix = feature_matrix(frame)
        if self.kind == MULTICLASS:
            booster = self.boosters[0]
            assert isinstance(booster, CatBoostClassifier)
            pmf = np.asarray(booster.predict_proba(matrix), dtype=np.float64)
        else:
            columns = [
                np.full(len(matrix), b)
                if isinstance(b, float)
                else np.asarray(b.predict_proba(matrix))[:, 1]
                for b in self.boosters
            ]
            pmf = pmf_from_exceedance(np.column_stack(columns))
        return self.grid.fold(pmf, frame["station_icao"])

    def predict_pmf(self, frame: pd.DataFrame) -> FloatArray:
        """Calibrated class probabilities (rows sum to 1), folded to each station's grid."""
        return self.grid.fold(
            calibrate(self.raw_pmf(frame), self.calibration), frame["station_icao"]
        )

    def feature_importance(self) -> dict[str, float]:
        """CatBoost's importance per feature (ordinal: the mean over its classifiers)."""
        fitted = [b for b in self.boosters if isinstance(b, CatBoostClassifier)]
        if not fitted:
            return dict.fromkeys(FEATURE_NAMES, 0.0)
        values = np.mean([b.get_feature_importance() for b in fitted], axis=0)
        return {name: float(v) for name, v in zip(FEATURE_NAMES, values, strict=True)}

    def save(self, folder: Path) -> list[str]:
        """Write the boosters as ``.cbm`` files in ``folder``; returns the file names (or the
        constants as ``const:<p>``) in threshold order."""
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for index, booster in enumerate(self.boosters):
            if isinstance(booster, float):
                names.append(f"const:{booster!r}")
                continue
            name = f"{self.kind}_{index:03d}.cbm"
            booster.save_model(str(folder / name))
            names.append(name)
        return names

    @classmethod
    def load(
        cls, kind: str, grid: ClassGrid, folder: Path, names: list[str], calibration: IsotonicMap
    ) -> DeltaModel:
        """The model written by ``save``."""
        boosters: list[CatBoostClassifier | float] = []
        for name in names:
            if name.startswith("const:"):
                boosters.append(float(name.removeprefix("const:")))
            else:
                booster = CatBoostClassifier()
                booster.load_model(str(folder / name))
                boosters.append(booster)
        return cls(kind=kind, grid=grid, boosters=boosters, calibration=calibration)


def calibrate(pmf: FloatArray, calibration: IsotonicMap) -> FloatArray:
    """Apply an isotonic map to the cumulative probabilities; a non-decreasing map keeps the
    cdf non-decreasing, and its last value stays 1."""
    cdf = np.cumsum(pmf, axis=1)
    mapped = calibration(cdf)
    mapped[:, -1] = 1.0
    mapped = np.maximum.accumulate(np.clip(mapped, 0.0, 1.0), axis=1)
    return np.asarray(np.diff(mapped, axis=1, prepend=0.0), dtype=np.float64)


def fit_model(
    kind: str,
    frame: pd.DataFrame,
    grid: ClassGrid,
    params: dict[str, Any],
    advance: Callable[[], None] | None = None,
) -> DeltaModel:
    """Fit an uncalibrated model on ``frame`` (its ``delta_f`` is the target).

    Args:
        kind: ``catboost_ordinal`` or ``catboost_multiclass``.
        frame: feature rows with ``station_icao`` and ``delta_f``.
        grid: the classes.
        params: CatBoost parameters (iterations, depth, learning_rate, l2_leaf_reg,
            thread_count).
        advance: called after each booster (a progress bar).

    Returns:
        The model (identity calibration).
    """
    matrix = feature_matrix(frame)
    target = grid.target(frame["station_icao"], frame["delta_f"])
    boosters: list[CatBoostClassifier | float] = []
    if kind == MULTICLASS:
        booster = _classifier(params, "MultiClass", grid.size)
        booster.fit(matrix, target)
        boosters.append(booster)
    else:
        for threshold in range(1, grid.size):
            above = (target >= threshold).astype(np.int64)
            if above.min() == above.max():
                boosters.append(float(above[0]))
            else:
                booster = _classifier(params, "Logloss")
                booster.fit(matrix, above)
                boosters.append(booster)
            if advance is not None:
                advance()
    if advance is not None and kind == MULTICLASS:
        advance()
    return DeltaModel(kind=kind, grid=grid, boosters=boosters)


def fit_calibration(model: DeltaModel, frame: pd.DataFrame) -> IsotonicMap:
    """Isotonic map of the cumulative probabilities on a held-out fold.

    Args:
        model: the fitted model.
        frame: the calibration fold (later days than the model's fit days).

    Returns:
        The map of ``P(delta <= k)`` to the observed rate, pooled over the inner classes of
        each row's station grid.
    """
    cdf = np.cumsum(model.raw_pmf(frame), axis=1)
    target = model.grid.target(frame["station_icao"], frame["delta_f"])
    lows, highs = model.grid.bounds(frame["station_icao"])
    classes = np.arange(model.grid.size)
    inner = (classes >= lows[:, None]) & (classes < highs[:, None])
    observed = (target[:, None] <= classes[None, :]).astype(float)
    return fit_isotonic(cdf[inner], observed[inner])


def day_folds(days: IntArray, folds: int, gap_days: int) -> list[tuple[IntArray, IntArray]]:
    """Expanding-window splits of sorted day numbers: fit on every block before a validation
    block except the ``gap_days`` just before it.

    Args:
        days: the distinct days, sorted (any integer day numbering).
        folds: validation blocks (the first of ``folds + 1`` blocks is only ever fitted on).
        gap_days: days left out between fit and validation.

    Returns:
        (fit days, validation days) per fold, skipping folds left with no fit day.
    """
    blocks = np.array_split(days, folds + 1)
    splits = []
    for block in blocks[1:]:
        if block.size == 0:
            continue
        fit = days[days < block[0] - gap_days]
        if fit.size:
            splits.append((fit, block))
    return splits
