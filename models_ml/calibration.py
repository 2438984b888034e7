"""Isotonic calibration: the pool-adjacent-violators fit and its piecewise-linear map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class IsotonicMap:
    """A non-decreasing map of probabilities, interpolated between fitted knots.

    Attributes:
        x: knot inputs (increasing).
        y: knot outputs (non-decreasing, within [0, 1]).
    """

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __call__(self, values: FloatArray) -> FloatArray:
        """The calibrated values (clamped to the end knots outside their range)."""
        if not self.x:
            return values
        return np.interp(values, np.asarray(self.x), np.asarray(self.y))


def fit_isotonic(predicted: FloatArray, observed: FloatArray) -> IsotonicMap:
    """Fit a non-decreasing ``observed ~ predicted`` by pool-adjacent-violators.

    Args:
        predicted: predicted probabilities.
        observed: outcomes (0 or 1) or rates, one per prediction.

    Returns:
        The map; identity (no knots) when there is nothing to fit.
    """
    if predicted.size == 0:
        return IsotonicMap((), ())
    order = np.argsort(predicted, kind="mergesort")
    xs, ys = predicted[order], observed[order].astype(float)
    # blocks of equal inputs first, so ties get one value
    unique_x, start = np.unique(xs, return_index=True)
    weights = list(np.diff(np.append(start, xs.size)).astype(float))
    means = [float(v) for v in np.add.reduceat(ys, start) / np.asarray(weights)]
    lows = list(unique_x.astype(float))
    block_x: list[list[float]] = [[x] for x in lows]
    i = 0
    while i < len(means) - 1:
        if means[i] > means[i + 1]:
            total = weights[i] + weights[i + 1]
            means[i] = (means[i] * weights[i] + means[i + 1] * weights[i + 1]) / total
            weights[i] = total
            block_x[i] += block_x.pop(i + 1)
            del means[i + 1], weights[i + 1]
            i = max(i - 1, 0)
        else:
            i += 1
    knots_x = [x for block in block_x for x in (block[0], block[-1])]
    knots_y = [m for m, block in zip(means, block_x, strict=True) for _ in (block[0], block[-1])]
    return IsotonicMap(tuple(knots_x), tuple(float(np.clip(y, 0, 1)) for y in knots_y))
