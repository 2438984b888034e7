"""Delta classes per station, distributions over them, bracket probabilities and scores.

A contract type's models predict over one grid of whole-°F deltas ``[low, high]`` (the union of
its stations' grids); each station's grid is the range of its train deltas with the thinnest
tails pooled into the end classes (``TAIL_SHARE`` each side), so a row's target is its delta
clipped to its station's grid and a prediction folds any mass outside it onto the ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TAIL_SHARE = 0.005
PROBABILITY_FLOOR = 1e-4
"""Scores floor every probability here (then renormalise), so one impossible class cannot make
a log loss infinite; the same floor for every model, the empirical pmf included."""


@dataclass(frozen=True)
class ClassGrid:
    """The delta classes of one contract type.

    Attributes:
        low: the smallest delta of the union grid.
        high: the largest.
        stations: station -> its own ``(low, high)`` within the union grid.
    """

    low: int
    high: int
    stations: dict[str, tuple[int, int]]

    @property
    def size(self) -> int:
        """Number of classes of the union grid."""
        return self.high - self.low + 1

    @classmethod
    def from_train(cls, station_icao: pd.Series, delta_f: pd.Series) -> ClassGrid:
        """Per-station grids from train deltas (tails of ``TAIL_SHARE`` each side pooled)."""
        stations: dict[str, tuple[int, int]] = {}
        for station, deltas in delta_f.groupby(station_icao):
            values = np.sort(deltas.to_numpy(dtype=np.int64))
            cut = int(len(values) * TAIL_SHARE)
            stations[str(station)] = (int(values[cut]), int(values[len(values) - 1 - cut]))
        return cls(
            low=min(lo for lo, _ in stations.values()),
            high=max(hi for _, hi in stations.values()),
            stations=stations,
        )

    @classmethod
    def from_record(cls, record: dict[str, object]) -> ClassGrid:
        """The grid from ``to_record``'s JSON form."""
        raw = record["stations"]
        assert isinstance(raw, dict)
        return cls(
            low=int(str(record["low"])),
            high=int(str(record["high"])),
            stations={k: (int(v[0]), int(v[1])) for k, v in raw.items()},
        )

    def to_record(self) -> dict[str, object]:
        """A JSON-able form."""
        return {"low": self.low, "high": self.high, "stations": self.stations}

    def bounds(self, station_icao: pd.Series) -> tuple[IntArray, IntArray]:
        """Each row's station grid as union-grid class indices (unknown stations: the union)."""
        lows = station_icao.map(lambda s: self.stations.get(s, (self.low, self.high))[0])
        highs = station_icao.map(lambda s: self.stations.get(s, (self.low, self.high))[1])
        return (
            lows.to_numpy(dtype=np.int64) - self.low,
            highs.to_numpy(dtype=np.int64) - self.low,
        )

    def target(self, station_icao: pd.Series, delta_f: pd.Series) -> IntArray:
        """Class index of each row: its delta clipped to its station's grid."""
        lows, highs = self.bounds(station_icao)
        return np.clip(delta_f.to_numpy(dtype=np.int64) - self.low, lows, highs)

    def fold(self, pmf: FloatArray, station_icao: pd.Series) -> FloatArray:
        """Move each row's mass outside its station's grid onto the grid's ends."""
        lows, highs = self.bounds(station_icao)
        cdf = np.cumsum(pmf, axis=1)
        rows = np.arange(len(pmf))
        folded = np.where(
            (np.arange(self.size) >= lows[:, None]) & (np.arange(self.size) <= highs[:, None]),
            pmf,
            0.0,
        )
        folded[rows, lows] = cdf[rows, lows]
        folded[rows, highs] += 1.0 - cdf[rows, highs]
        total = folded.sum(axis=1, keepdims=True)
        return np.asarray(folded / np.where(total > 0, total, 1.0), dtype=np.float64)


def floored(pmf: FloatArray) -> FloatArray:
    """``pmf`` with every probability at least ``PROBABILITY_FLOOR``, rows summing to 1."""
    raised = np.maximum(pmf, PROBABILITY_FLOOR)
    return np.asarray(raised / raised.sum(axis=1, keepdims=True), dtype=np.float64)


def pmf_from_exceedance(exceedance: FloatArray) -> FloatArray:
    """A pmf from ordinal ``P(class >= k)`` for k = 1..K-1, made monotone first.

    Args:
        exceedance: n x (K-1) probabilities of the K-1 binary classifiers.

    Returns:
        n x K probabilities, non-negative, each row summing to 1.
    """
    # P(class >= k) cannot grow with k: sorting each row (rearrangement) repairs crossings
    # without the flat runs a running minimum leaves, which give classes a zero probability
    monotone = -np.sort(-np.clip(exceedance, 0.0, 1.0), axis=1)
    ones = np.ones((len(exceedance), 1))
    zeros = np.zeros((len(exceedance), 1))
    survival = np.hstack([ones, monotone, zeros])
    return np.asarray(survival[:, :-1] - survival[:, 1:], dtype=np.float64)


def bracket_probability(
    cdf: FloatArray,
    grid_low: int,
    delta_below_f: FloatArray,
    delta_upper_f: FloatArray,
) -> FloatArray:
    """P(bracket) = F(delta_upper) - F(delta_below), as ``int_gate_market_checkpoints`` has it.

    ``delta_upper_f = bracket_upper - r`` (NaN = open above: F = 1), ``delta_below_f =
    bracket_lower - 1 - r`` (NaN = open below: F = 0); below the grid F = 0, at or above its
    top F = 1.

    Args:
        cdf: n x K cumulative probabilities over the grid starting at ``grid_low``.
        grid_low: the delta of the grid's first class.
        delta_below_f: per row, as above.
        delta_upper_f: per row, as above.

    Returns:
        The bracket probabilities, clipped to [0, 1].
    """

    def at(delta: FloatArray, missing: float) -> FloatArray:
        size = cdf.shape[1]
        index = np.nan_to_num(delta - grid_low, nan=0).astype(np.int64)
        inside = np.clip(index, 0, size - 1)
        value = cdf[np.arange(len(cdf)), inside]
        value = np.where(index < 0, 0.0, np.where(index >= size - 1, 1.0, value))
        return np.asarray(np.where(np.isnan(delta), missing, value), dtype=np.float64)

    return np.clip(at(delta_upper_f, 1.0) - at(delta_below_f, 0.0), 0.0, 1.0)


@dataclass(frozen=True)
class Scores:
    """Scores of one model on a set of rows (lower is better)."""

    log_loss: float
    brier: float
    rps: float
    calibration_error: float
    bins: pd.DataFrame


def score(pmf: FloatArray, target: IntArray, grid: ClassGrid, stations: pd.Series) -> Scores:
    """Log loss, Brier, ranked probability score and calibration of delta distributions.

    Calibration is of the cumulative events ``delta <= k`` at every inner class of the row's
    station grid (the bracket edges are such events): ten equal bins of the predicted
    probability, the error their count-weighted mean |predicted - observed|.

    Args:
        pmf: n x K probabilities over the union grid (folded to each station's grid).
        target: the class index of each row.
        grid: the grid.
        stations: each row's station.

    Returns:
        The scores, with the reliability bins (bin, mean_predicted, observed_rate, n).
    """
    probs = floored(pmf)
    rows = np.arange(len(probs))
    onehot = np.zeros_like(probs)
    onehot[rows, target] = 1.0
    cdf = np.cumsum(probs, axis=1)
    observed_cdf = np.cumsum(onehot, axis=1)
    lows, highs = grid.bounds(stations)
    classes = np.arange(grid.size)
    inner = (classes >= lows[:, None]) & (classes < highs[:, None])
    predicted, outcome = cdf[inner], observed_cdf[inner]
    bin_index = np.minimum((predicted * 10).astype(np.int64), 9)
    bins = (
        pd.DataFrame({"bin": bin_index, "predicted": predicted, "observed": outcome})
        .groupby("bin")
        .agg(
            mean_predicted=("predicted", "mean"),
            observed_rate=("observed", "mean"),
            n=("predicted", "size"),
        )
        .reset_index()
    )
    weights = bins["n"] / max(int(bins["n"].sum()), 1)
    error = float((weights * (bins["mean_predicted"] - bins["observed_rate"]).abs()).sum())
    return Scores(
        log_loss=float(-np.log(probs[rows, target]).mean()),
        brier=float(((probs - onehot) ** 2).sum(axis=1).mean()),
        rps=float(((cdf - observed_cdf) ** 2).sum(axis=1).mean()),
        calibration_error=error,
        bins=bins,
    )
