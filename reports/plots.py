"""The report's figures: matplotlib (Agg) figures rendered to base64 PNG strings.

Each figure function takes the rows ``queries.read_mart`` returns (logical column names) for
ONE ``data_source`` and returns a base64-encoded PNG. The calibration figures live in
``reports.calibration_plots``.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (backend first)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

CONTRACTS = ("HIGH", "LOW")
DPI = 100


def png(fig: Figure) -> str:
    """The figure as a base64 PNG (and closed)."""
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
    return png(fig)


@dataclass(frozen=True)
class ChosenRule:
    """What ``dim_station_thresholds`` chose for one station-contract (a heatmap row)."""

    verdict: str
    rule: str
    window_start_minute: float | None
    window_end_minute: float | None

    @property
    def label(self) -> str:
        """``GO · fair_value from 16:00``."""
        start = self.window_start_minute
        window = "" if start is None else f" from {int(start) // 60:02d}:{int(start) % 60:02d}"
        return f"{self.verdict} · {self.rule}{window}"


VERDICT_COLOURS = {"GO": "#1b7f3b", "KILL": "#b3261e"}
# Cells outside the chosen rule's window: drawn faint, since the verdict never traded them.
OUTSIDE_WINDOW_ALPHA = 0.3


def _hour_of(minute: float) -> int:
    """The heatmap column of a checkpoint: hour h pools checkpoints h:15 .. h+1:00."""
    return max(int(np.ceil(minute / 60.0)) - 1, 0)


def edge_heatmap(
    frame: pd.DataFrame, title: str, chosen: dict[tuple[str, str], ChosenRule] | None = None
) -> str:
    """Mean edge per contract (cents) for each station (x contract) and hour of the day.

    Checkpoints are pooled into hours, weighted by ``trade_count`` when the mart has it. Each
    row is labelled with its station-contract's verdict and rule; the hours that rule trades
    are outlined and the others drawn faint.

    Args:
        frame: columns station, contract (may be None), window_minute, edge (dollars per
            contract), trade_count (may be None).
        title: the figure title.
        chosen: the verdict per (station, contract), from ``dim_station_thresholds``.

    Returns:
        A base64 PNG.
    """
    chosen = chosen or {}
    data = frame[frame["edge"].notna()].copy()
    data["contract"] = data["contract"].fillna("").astype(str)
    data["station"] = data["station"].astype(str)
    data["hour"] = [_hour_of(m) for m in data["window_minute"]]
    weights = data["trade_count"] if data["trade_count"].notna().any() else None
    data["weight"] = 1.0 if weights is None else weights.fillna(0).astype(float)
    data["weighted"] = data["edge"] * data["weight"]
    sums = data.groupby(["station", "contract", "hour"])[["weighted", "weight"]].sum()
    means = (sums["weighted"] / sums["weight"].where(sums["weight"] > 0)).unstack("hour")
    grid = means.reindex(columns=range(24)).sort_index() * 100.0
    values = grid.to_numpy(dtype=float)
    alpha = np.ones_like(values)
    finite = values[np.isfinite(values)]
    span = float(np.max(np.abs(finite))) if finite.size else 1.0
    span = span or 1.0
    fig, ax = plt.subplots(figsize=(13, 0.42 * len(grid.index) + 1.8))
    labels = []
    for i, (station, contract) in enumerate(grid.index):
        rule = chosen.get((station, contract))
        labels.append(f"{station} {contract}".strip() + (f"  {rule.label}" if rule else ""))
        if rule is None or rule.window_start_minute is None:
            continue
        first = int(rule.window_start_minute) // 60
        last = _hour_of(rule.window_end_minute or 1440.0)
        alpha[i, :] = OUTSIDE_WINDOW_ALPHA
        alpha[i, first : last + 1] = 1.0
        ax.add_patch(
            Rectangle(
                (first - 0.5, i - 0.5),
                last - first + 1,
                1,
                fill=False,
                lw=1.6,
                edgecolor=VERDICT_COLOURS.get(rule.verdict, "black"),
            )
        )
    image = ax.imshow(
        np.ma.masked_invalid(values),
        aspect="auto",
        cmap="RdYlGn",
        norm=TwoSlopeNorm(vmin=-span, vcenter=0.0, vmax=span),
        interpolation="nearest",
        alpha=alpha,
    )
    ax.set_facecolor("#e9ecef")  # hours without trades
    ax.set_yticks(range(len(grid.index)), labels)
    for tick, (station, contract) in zip(ax.get_yticklabels(), grid.index, strict=True):
        rule = chosen.get((station, contract))
        tick.set_color(VERDICT_COLOURS.get(rule.verdict, "black") if rule else "black")
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=8)
    ax.set_xlabel(
        "hour of the climate day (local standard time): hh pools checkpoints hh:15..hh+1:00"
    )
    if len(grid.index) <= 20:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(
                    j,
                    i,
                    f"{value:.1f}",
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    alpha=max(alpha[i, j], 0.5),
                )
    fig.colorbar(image, ax=ax, label="cents per contract", fraction=0.025, pad=0.01)
    ax.set_title(title)
    return png(fig)


def equity_days(trades: pd.DataFrame, period: tuple[date, date] | None = None) -> pd.DatetimeIndex:
    """Every day the equity curve's x axis spans: the backtest period (widened to any trade
    outside it), or the trades' own days when no period is known.

    Args:
        trades: a ``date`` column.
        period: the backtest's first and last day.

    Returns:
        Consecutive days, first to last.
    """
    dates = pd.to_datetime(trades["date"])
    first = dates.min() if period is None else min(pd.Timestamp(period[0]), dates.min())
    last = dates.max() if period is None else max(pd.Timestamp(period[1]), dates.max())
    return pd.date_range(first, last, freq="D")


def equity_curve(trades: pd.DataFrame, title: str, period: tuple[date, date] | None = None) -> str:
    """Cumulative P&L per station-contract and for the whole book, day by day.

    Args:
        trades: columns station, contract, date, pnl (dollars after fees), one row per trade,
            already limited to what the book trades.
        title: the figure title.
        period: the backtest's first and last day (see ``equity_days``).

    Returns:
        A base64 PNG.
    """
    data = trades.copy()
    data["date"] = pd.to_datetime(data["date"])
    data["pnl"] = data["pnl"].fillna(0.0)
    days = equity_days(data, period)

    def cumulative(rows: pd.DataFrame) -> pd.Series:
        return rows.groupby("date")["pnl"].sum().reindex(days, fill_value=0.0).cumsum()

    fig, ax = plt.subplots(figsize=(13, 4.8))
    for (station, contract), rows in data.groupby(["station", "contract"], sort=True):
        ax.step(days, cumulative(rows), where="post", lw=1.2, label=f"{station} {contract}")
    ax.step(days, cumulative(data), where="post", color="black", lw=2.4, label="whole book")
    ax.axhline(0, color="grey", lw=0.8)
    # a one-day backtest still gets a readable axis: a day either side
    ax.set_xlim(days[0] - pd.Timedelta(days=1), days[-1] + pd.Timedelta(days=1))
    ax.set_ylabel("cumulative P&L, dollars (after fees)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncol=4)
    ax.set_title(title)
    fig.autofmt_xdate()
    return png(fig)
