"""Figures of the delta models: reliability diagrams and feature importances.

Each takes the rows of one ``data_source`` from the ML marts and returns a base64 PNG.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd

from reports.calibration_plots import draw_buckets, wilson
from reports.plots import CONTRACTS, png

# A figure from one data source's rows and a title.
Drawing = Callable[[pd.DataFrame, str], str]
# The features drawn per model: the rest say little and crowd the bars.
TOP_FEATURES = 15
CONTRACT_COLOURS = {"HIGH": "#d9480f", "LOW": "#1864ab"}


def pooled_bins(bins: pd.DataFrame) -> pd.DataFrame:
    """Reliability bins pooled over stations, weighted by their counts.

    Args:
        bins: columns model_name, contract_type, probability_bin, mean_predicted_probability,
            observed_rate, prediction_count.

    Returns:
        One row per model x contract x bin: n, predicted, observed, ci_low, ci_high (Wilson).
    """
    data = bins[bins["prediction_count"].fillna(0) > 0].copy()
    n = data["prediction_count"].astype(float)
    data["n"] = n
    data["predicted_sum"] = data["mean_predicted_probability"].astype(float) * n
    data["hits"] = data["observed_rate"].astype(float) * n
    grouped = (
        data.groupby(["model_name", "contract_type", "probability_bin"], sort=True)[
            ["n", "predicted_sum", "hits"]
        ]
        .sum()
        .reset_index()
    )
    grouped["predicted"] = grouped["predicted_sum"] / grouped["n"]
    grouped["observed"] = grouped["hits"] / grouped["n"]
    intervals = [
        wilson(round(h), round(k)) for h, k in zip(grouped["hits"], grouped["n"], strict=True)
    ]
    grouped["ci_low"] = [low for low, _ in intervals]
    grouped["ci_high"] = [high for _, high in intervals]
    return grouped


def reliability_diagrams(bins: pd.DataFrame, title: str) -> str:
    """Predicted probability against observed rate, one panel per model, one line per contract.

    Args:
        bins: one data source's rows of ``fct_delta_model_reliability_bins``.
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    pooled = pooled_bins(bins)
    models = sorted(pooled["model_name"].astype(str).unique(), key=lambda m: (m != "empirical", m))
    fig, axes = plt.subplots(1, len(models), figsize=(5.2 * len(models), 5.2), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        part = pooled[pooled["model_name"].astype(str) == model]
        for contract in [c for c in CONTRACTS if c in set(part["contract_type"])]:
            rows = part[part["contract_type"] == contract].sort_values("predicted")
            rows = rows.reset_index(drop=True)
            draw_buckets(
                ax,
                rows["predicted"],
                rows["observed"],
                rows["ci_low"],
                rows["ci_high"],
                rows["n"],
                CONTRACT_COLOURS.get(contract, "black"),
                f"{contract}: {int(rows['n'].sum())} predictions",
            )
        ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="perfect calibration")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("predicted probability (bin mean)")
        ax.set_title(model)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=7.5)
    axes[0][0].set_ylabel("observed rate")
    fig.suptitle(title)
    return png(fig)


def feature_importances(importances: pd.DataFrame, title: str) -> str:
    """The most important features of each model, as horizontal bars.

    Args:
        importances: one data source's rows of ``fct_delta_model_feature_importances``
            (model_name, feature_name, importance, importance_rank).
        title: the figure title.

    Returns:
        A base64 PNG.
    """
    models = sorted(importances["model_name"].astype(str).unique())
    height = 0.32 * min(TOP_FEATURES, int(importances.groupby("model_name").size().max())) + 1.6
    fig, axes = plt.subplots(1, len(models), figsize=(5.6 * len(models), height), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        rows = importances[importances["model_name"].astype(str) == model]
        rows = rows.sort_values("importance_rank").head(TOP_FEATURES).iloc[::-1]
        ax.barh(rows["feature_name"].astype(str), rows["importance"].astype(float), color="#4c6ef5")
        ax.set_title(model)
        ax.set_xlabel("importance")
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle(title)
    return png(fig)
