"""Calibration figures: the market's prices and the engine's own probabilities against outcomes.

Both draw buckets with their n; a bucket with fewer than ``MIN_BUCKET_N`` markets (or trades)
is drawn hollow and faint, with a grey n, no interval and no line to its neighbours, so a line
never runs through a point that carries no information.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

# reports.plots selects the Agg backend before any figure is made
from reports.plots import CONTRACTS, png

# Below 30 outcomes a bucket's 95% Wilson interval at a 50% rate is wider than +-0.17, more
# than one and a half 0.10-wide price buckets: the point says next to nothing about calibration.
MIN_BUCKET_N = 30
# z of the 95% intervals (the marts use gate_ci_z = 1.96 for theirs).
Z = 1.96
# Width of the reliability diagram's predicted-probability buckets.
PROBABILITY_BUCKET_WIDTH = 0.1
SMALL_COLOUR = "#9aa0a6"
SMALL_ALPHA = 0.45


def wilson(wins: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a rate ``wins / n`` (``(nan, nan)`` for n = 0)."""
    if n <= 0:
        return math.nan, math.nan
    rate = wins / n
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def draw_buckets(
    ax: Axes,
    x: pd.Series,
    y: pd.Series,
    ci_low: pd.Series,
    ci_high: pd.Series,
    n: pd.Series,
    colour: object,
    label: str,
) -> None:
    """Buckets with n >= MIN_BUCKET_N joined, with their intervals; the rest hollow, faint,
    unjoined and without an interval (it would span most of the axis); n beside every point."""
    big = (n.fillna(0) >= MIN_BUCKET_N).to_numpy()
    if big.any():
        yerr = None
        if ci_low[big].notna().all() and ci_high[big].notna().all():
            yerr = np.vstack(
                [(y[big] - ci_low[big]).clip(lower=0), (ci_high[big] - y[big]).clip(lower=0)]
            )
        ax.errorbar(
            x[big],
            y[big],
            yerr=yerr,
            fmt="o-",
            ms=3.5,
            capsize=2,
            lw=1.0,
            elinewidth=0.8,
            color=colour,
        )
    if (~big).any():
        ax.plot(
            x[~big], y[~big], "o", ms=4.5, mfc="white", mec=colour, alpha=SMALL_ALPHA, ls="none"
        )
    # the legend entry is drawn once per line, whatever its buckets' n
    ax.plot([], [], "o-", ms=3.5, lw=1.0, color=colour, label=label)
    for xi, yi, ni, is_big in zip(x, y, n.fillna(0), big, strict=True):
        ax.annotate(
            f"{int(ni)}",
            (xi, yi),
            textcoords="offset points",
            xytext=(4, -9),
            fontsize=6,
            color=colour if is_big else SMALL_COLOUR,
        )


def _finish(ax: Axes, xlabel: str, title: str) -> None:
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="perfect calibration")
    ax.plot([], [], "o", mec=SMALL_COLOUR, mfc="white", label=f"n < {MIN_BUCKET_N}: hollow, faint")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=7.5)


def _hours_label(frame: pd.DataFrame, low: float) -> str:
    highs = frame.loc[frame["hours_to_close"] == low, "hours_to_close_max"].dropna()
    if highs.empty:
        return f"{low:g}+ h to close"
    return f"{low:g}–{float(highs.iloc[0]):g} h to close"


def market_calibration(frame: pd.DataFrame, title: str) -> str:
    """Realised YES frequency against price, with confidence intervals, n and the diagonal.

    One panel per contract (HIGH, LOW; or the pooled rows), one line per hours-to-close bucket
    when the mart has buckets.

    Args:
        frame: columns price (dollars), yes_rate (0..1), ci_low, ci_high, count (markets),
            contract, hours_to_close (the last three may be None).
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    data = frame[frame["price"].notna() & frame["yes_rate"].notna()].copy()
    data["contract"] = data["contract"].fillna("ALL").astype(str)
    contracts = [c for c in CONTRACTS if c in set(data["contract"])] or sorted(
        data["contract"].unique()
    )
    fig, axes = plt.subplots(1, len(contracts), figsize=(6.2 * len(contracts), 6.0), squeeze=False)
    buckets = sorted(data["hours_to_close"].dropna().unique())
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, max(len(buckets), 1)))
    for ax, contract in zip(axes[0], contracts, strict=True):
        part = data[data["contract"] == contract]
        groups = (
            [
                (_hours_label(data, b), part[part["hours_to_close"] == b], colours[i])
                for i, b in enumerate(buckets)
            ]
            if buckets
            else [("all quotes", part, colours[0])]
        )
        for label, rows, colour in groups:
            rows = rows.sort_values("price").reset_index(drop=True)
            if rows.empty:
                continue
            draw_buckets(
                ax,
                rows["price"],
                rows["yes_rate"],
                rows["ci_low"],
                rows["ci_high"],
                rows["count"],
                colour,
                label,
            )
        _finish(ax, "market price (bucket mean), dollars", f"{contract} (n = markets per point)")
    axes[0][0].set_ylabel("realised YES frequency")
    fig.suptitle(title)
    return png(fig)


def reliability_buckets(trades: pd.DataFrame) -> pd.DataFrame:
    """Bought brackets bucketed by the probability the engine priced them with.

    Args:
        trades: columns rule, contract, probability (0..1), is_win.

    Returns:
        One row per rule x contract x bucket: n, predicted (mean probability), win_rate,
        ci_low, ci_high (Wilson).
    """
    data = trades[trades["probability"].notna() & trades["is_win"].notna()].copy()
    data["win"] = data["is_win"].astype(bool).astype(int)
    top = round(1 / PROBABILITY_BUCKET_WIDTH) - 1
    data["bucket"] = (
        np.floor(data["probability"].astype(float) / PROBABILITY_BUCKET_WIDTH)
        .clip(0, top)
        .astype(int)
    )
    grouped = data.groupby(["rule", "contract", "bucket"], sort=True).agg(
        n=("win", "size"), wins=("win", "sum"), predicted=("probability", "mean")
    )
    grouped = grouped.reset_index()
    grouped["win_rate"] = grouped["wins"] / grouped["n"]
    intervals = [wilson(int(w), int(n)) for w, n in zip(grouped["wins"], grouped["n"], strict=True)]
    grouped["ci_low"] = [low for low, _ in intervals]
    grouped["ci_high"] = [high for _, high in intervals]
    return grouped


def reliability_diagram(trades: pd.DataFrame, title: str) -> str:
    """Predicted probability against realised win rate of the bought brackets, with n.

    One panel per rule (the probability differs: the window's accuracy for ``design``, the
    model's bracket probability for ``fair_value``), one line per contract.

    Args:
        trades: columns rule, contract, probability, is_win (one row per bought bracket).
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    buckets = reliability_buckets(trades)
    rules = sorted(buckets["rule"].astype(str).unique())
    fig, axes = plt.subplots(1, len(rules), figsize=(6.2 * len(rules), 6.0), squeeze=False)
    colours = {"HIGH": "#d9480f", "LOW": "#1864ab"}
    for ax, rule in zip(axes[0], rules, strict=True):
        part = buckets[buckets["rule"].astype(str) == rule]
        for contract, rows in part.groupby("contract", sort=True):
            rows = rows.sort_values("predicted").reset_index(drop=True)
            trades_n = int(rows["n"].sum())
            label = (
                f"{contract}: {trades_n} trades, mean p "
                f"{(rows['predicted'] * rows['n']).sum() / trades_n:.2f}, "
                f"won {rows['wins'].sum() / trades_n:.2f}"
            )
            draw_buckets(
                ax,
                rows["predicted"],
                rows["win_rate"],
                rows["ci_low"],
                rows["ci_high"],
                rows["n"],
                colours.get(str(contract), "black"),
                label,
            )
        _finish(
            ax,
            "probability the engine priced with (bucket mean)",
            f"rule {rule} (n = trades per point)",
        )
    axes[0][0].set_ylabel("realised win rate of the bought bracket")
    fig.suptitle(title)
    return png(fig)
