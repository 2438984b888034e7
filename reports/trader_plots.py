"""The paper/live results figure: cumulative realised P&L by climate date, one line per book."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from reports.plots import png


def cumulative_pnl(days: pd.DataFrame, title: str) -> str:
    """Cumulative realised P&L per book (journal and broker mode), day by day.

    Args:
        days: columns book (a label such as ``paper · paper (real)``), date, pnl (dollars after
            fees, NaN for a day without a settled trade), one row per station-contract-day.
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    data = days.copy()
    data["date"] = pd.to_datetime(data["date"])
    data["pnl"] = pd.to_numeric(data["pnl"], errors="coerce").fillna(0.0)
    calendar = pd.date_range(data["date"].min(), data["date"].max(), freq="D")
    fig, ax = plt.subplots(figsize=(13, 4.6))
    for book, rows in data.groupby("book", sort=True):
        series = rows.groupby("date")["pnl"].sum().reindex(calendar, fill_value=0.0).cumsum()
        ax.step(calendar, series, where="post", lw=1.8, label=str(book))
    ax.axhline(0, color="grey", lw=0.8)
    # one day of results still gets a readable axis: a day either side
    ax.set_xlim(calendar[0] - pd.Timedelta(days=1), calendar[-1] + pd.Timedelta(days=1))
    ax.set_ylabel("cumulative realised P&L, dollars (after fees)")
    ax.set_xlabel("climate date")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    fig.autofmt_xdate()
    return png(fig)
