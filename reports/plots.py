"""The report's figures: matplotlib (Agg) figures rendered to base64 PNG strings.

Each function takes the frame ``queries.read_mart`` returns (logical column names) for ONE
``data_source`` and returns a base64-encoded PNG.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (backend first)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CONTRACTS = ("HIGH", "LOW")
DPI = 100


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _hour_axis(ax: Axes) -> None:
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel("checkpoint, hour of the climate day (local standard time)")
    ax.grid(True, alpha=0.3)


def accuracy_by_time_of_day(frame: pd.DataFrame, title: str) -> str:
    """Accuracy against checkpoint hour, one line per station, one panel per contract.

    Args:
        frame: columns station, contract, checkpoint_minute, accuracy (0..1).
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    contracts = [c for c in CONTRACTS if c in set(frame["contract"])] or sorted(
        frame["contract"].astype(str).unique()
    )
    fig, axes = plt.subplots(1, len(contracts), figsize=(13, 4.6), sharey=True, squeeze=False)
    for ax, contract in zip(axes[0], contracts, strict=True):
        part = frame[frame["contract"] == contract]
        for station, rows in part.groupby("station", sort=True):
            rows = rows.sort_values("checkpoint_minute")
            ax.plot(rows["checkpoint_minute"] / 60.0, rows["accuracy"], label=str(station), lw=1.6)
        ax.set_title(f"{contract}: running {'max' if contract == 'HIGH' else 'min'} vs final CLI")
        _hour_axis(ax)
        ax.set_ylim(0, 1.02)
    axes[0][0].set_ylabel("accuracy (share of days)")
    axes[0][-1].legend(loc="lower right", fontsize=8, ncol=2)
    fig.suptitle(title)
    return _png(fig)


def edge_heatmap(frame: pd.DataFrame, title: str) -> str:
    """Mean edge per contract (cents) for each station (x contract) and hour of the day.

    Checkpoints are pooled into hours, weighted by ``trade_count`` when the mart has it.

    Args:
        frame: columns station, contract (may be None), window_minute, edge (dollars per
            contract), trade_count (may be None).
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    data = frame[frame["edge"].notna()].copy()
    has_contract = data["contract"].notna().any()
    data["row"] = (
        data["station"].astype(str) + " " + data["contract"].astype(str)
        if has_contract
        else data["station"].astype(str)
    )
    data["hour"] = (np.ceil(data["window_minute"] / 60.0) - 1).clip(lower=0).astype(int)
    weights = data["trade_count"] if data["trade_count"].notna().any() else None
    data["weight"] = 1.0 if weights is None else weights.fillna(0).astype(float)
    data["weighted"] = data["edge"] * data["weight"]
    sums = data.groupby(["row", "hour"])[["weighted", "weight"]].sum()
    means = (sums["weighted"] / sums["weight"].where(sums["weight"] > 0)).unstack("hour")
    grid = means.reindex(columns=range(24)).sort_index() * 100.0
    values = grid.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    span = float(np.max(np.abs(finite))) if finite.size else 1.0
    span = span or 1.0
    fig, ax = plt.subplots(figsize=(13, 0.42 * len(grid.index) + 1.8))
    image = ax.imshow(
        np.ma.masked_invalid(values),
        aspect="auto",
        cmap="RdYlGn",
        norm=TwoSlopeNorm(vmin=-span, vcenter=0.0, vmax=span),
        interpolation="nearest",
    )
    ax.set_facecolor("#e9ecef")  # hours without trades
    ax.set_yticks(range(len(grid.index)), [str(i) for i in grid.index])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=8)
    ax.set_xlabel("window: hour of the climate day (local standard time)")
    if len(grid.index) <= 20:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=6.5)
    fig.colorbar(image, ax=ax, label="cents per contract", fraction=0.025, pad=0.01)
    ax.set_title(title)
    return _png(fig)


def _hours_label(frame: pd.DataFrame, low: float) -> str:
    highs = frame.loc[frame["hours_to_close"] == low, "hours_to_close_max"].dropna()
    if highs.empty:
        return f"{low:g}+ h to close"
    return f"{low:g}–{float(highs.iloc[0]):g} h to close"


def market_calibration(frame: pd.DataFrame, title: str) -> str:
    """Realised YES frequency against price, with confidence intervals and the diagonal.

    One panel per contract (HIGH, LOW; or the pooled rows), one line per hours-to-close bucket
    when the mart has buckets.

    Args:
        frame: columns price (dollars), yes_rate (0..1), ci_low, ci_high, contract,
            hours_to_close (the last three may be None).
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
        ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="perfect calibration")
        groups = (
            [
                (_hours_label(data, b), part[part["hours_to_close"] == b], colours[i])
                for i, b in enumerate(buckets)
            ]
            if buckets
            else [("all quotes", part, colours[0])]
        )
        for label, rows, colour in groups:
            rows = rows.sort_values("price")
            if rows.empty:
                continue
            yerr = None
            if rows["ci_low"].notna().all() and rows["ci_high"].notna().all():
                yerr = np.vstack(
                    [
                        (rows["yes_rate"] - rows["ci_low"]).clip(lower=0),
                        (rows["ci_high"] - rows["yes_rate"]).clip(lower=0),
                    ]
                )
            ax.errorbar(
                rows["price"],
                rows["yes_rate"],
                yerr=yerr,
                fmt="o-",
                ms=3.5,
                capsize=2,
                lw=1.0,
                elinewidth=0.8,
                color=colour,
                label=label,
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("market price (bucket mean), dollars")
        ax.set_title(contract)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=7.5)
    axes[0][0].set_ylabel("realised YES frequency")
    fig.suptitle(title)
    return _png(fig)


def equity_curve(frame: pd.DataFrame, title: str) -> str:
    """Cumulative backtest P&L per station and for the whole book.

    Args:
        frame: columns station, date, pnl (dollars per day); rows with station ``ALL`` (if
            any) are the whole book, otherwise the book is the sum over stations.
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    data = frame.copy()
    data["date"] = pd.to_datetime(data["date"])
    data["pnl"] = data["pnl"].fillna(0.0)
    is_book = data["station"].astype(str) == "ALL"
    fig, ax = plt.subplots(figsize=(13, 4.8))
    for station, rows in data[~is_book].groupby("station", sort=True):
        daily = rows.groupby("date")["pnl"].sum().sort_index()
        ax.plot(daily.index, daily.cumsum(), lw=1.2, label=str(station))
    book = data[is_book] if is_book.any() else data[~is_book]
    overall = book.groupby("date")["pnl"].sum().sort_index()
    ax.plot(overall.index, overall.cumsum(), color="black", lw=2.4, label="whole book")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("cumulative P&L, dollars (after fees)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncol=4)
    ax.set_title(title)
    fig.autofmt_xdate()
    return _png(fig)
