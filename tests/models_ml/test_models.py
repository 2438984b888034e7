"""Delta classes, the ordinal model's distributions, isotonic calibration and day folds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models_ml.calibration import fit_isotonic
from models_ml.distribution import ClassGrid, bracket_probability, pmf_from_exceedance, score
from models_ml.estimators import MULTICLASS, ORDINAL, calibrate, day_folds, fit_model
from models_ml.features import FEATURE_NAMES


def _frame(rows: int = 400, seed: int = 3) -> pd.DataFrame:
    """Feature rows where the delta shrinks with the checkpoint minute, two stations."""
    rng = np.random.default_rng(seed)
    minute = rng.integers(1, 96, rows) * 15.0
    frame = pd.DataFrame({name: rng.normal(size=rows) for name in FEATURE_NAMES})
    frame["station_icao"] = np.where(rng.random(rows) < 0.5, "KMDW", "KNYC")
    frame["checkpoint_minute"] = minute
    frame["delta_f"] = np.maximum(0, np.round((1440 - minute) / 240 + rng.normal(0, 1, rows)))
    frame.loc[frame["station_icao"] == "KNYC", "delta_f"] = np.minimum(
        frame.loc[frame["station_icao"] == "KNYC", "delta_f"], 3
    )
    frame["delta_f"] = frame["delta_f"].astype(int)
    frame["climate_date"] = pd.Timestamp("2025-03-01") + pd.to_timedelta(
        rng.integers(0, 20, rows), unit="D"
    )
    return frame


PARAMS = {"iterations": 20, "depth": 3, "learning_rate": 0.2, "thread_count": 1}


def test_class_grid_is_per_station_and_pools_tails() -> None:
    frame = _frame()
    grid = ClassGrid.from_train(frame["station_icao"], frame["delta_f"])
    assert grid.stations["KNYC"][1] == 3 < grid.stations["KMDW"][1] == grid.high
    target = grid.target(pd.Series(["KNYC"]), pd.Series([9]))
    assert target[0] == 3 - grid.low  # a delta beyond the station's grid is its top class
    folded = grid.fold(np.full((1, grid.size), 1 / grid.size), pd.Series(["KNYC"]))
    assert folded[0, 4 - grid.low :].sum() == 0 and np.isclose(folded.sum(), 1)


def test_exceedance_made_monotone_gives_a_pmf() -> None:
    exceedance = np.array([[0.9, 0.95, 0.3, 0.4], [0.2, 0.1, 0.15, 0.0]])
    pmf = pmf_from_exceedance(exceedance)
    assert (pmf >= 0).all() and np.allclose(pmf.sum(axis=1), 1)
    assert np.allclose(pmf[0], [0.05, 0.05, 0.5, 0.1, 0.3])
    assert np.allclose(pmf[1], [0.8, 0.05, 0.05, 0.1, 0.0])


def test_ordinal_and_multiclass_probabilities_are_distributions() -> None:
    frame = _frame()
    grid = ClassGrid.from_train(frame["station_icao"], frame["delta_f"])
    for kind in (ORDINAL, MULTICLASS):
        model = fit_model(kind, frame, grid, PARAMS)
        pmf = model.predict_pmf(frame)
        assert (pmf >= 0).all() and np.allclose(pmf.sum(axis=1), 1)
        exceedance = 1 - np.cumsum(model.raw_pmf(frame), axis=1)
        assert (np.diff(exceedance, axis=1) <= 1e-12).all()
        target = grid.target(frame["station_icao"], frame["delta_f"])
        uniform = np.full_like(pmf, 1 / grid.size)
        fitted = score(pmf, target, grid, frame["station_icao"])
        assert fitted.log_loss < score(uniform, target, grid, frame["station_icao"]).log_loss
        assert len(model.boosters) == (grid.size - 1 if kind == ORDINAL else 1)


def test_isotonic_pools_violators_and_keeps_a_cdf_monotone() -> None:
    mapping = fit_isotonic(np.array([0.1, 0.2, 0.3, 0.4]), np.array([1.0, 0.0, 1.0, 1.0]))
    assert np.allclose(mapping(np.array([0.1, 0.2, 0.4])), [0.5, 0.5, 1.0])
    pmf = calibrate(np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]), mapping)
    assert (pmf >= 0).all() and np.allclose(pmf.sum(axis=1), 1)


def test_bracket_probability_follows_the_gate_sql() -> None:
    # grid -1..2: F = 0.1, 0.5, 0.8, 1.0
    cdf = np.tile([0.1, 0.5, 0.8, 1.0], (5, 1))
    below = np.array([np.nan, -1.0, -3.0, 1.0, 0.0])
    upper = np.array([0.0, 1.0, np.nan, 5.0, 0.0])
    assert np.allclose(bracket_probability(cdf, -1, below, upper), [0.5, 0.7, 1.0, 0.2, 0.0])


def test_day_folds_expand_and_leave_a_gap() -> None:
    days = np.arange(100, 120)
    folds = day_folds(days, folds=3, gap_days=2)
    assert len(folds) == 3
    sizes = [fit.size for fit, _ in folds]
    assert sizes == sorted(sizes)
    for fit, valid in folds:
        assert fit.max() < valid.min() - 2
