"""The figures' arithmetic: equity axis, reliability buckets, small-bucket drawing, labels."""

from __future__ import annotations

import math
from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from reports.calibration_plots import MIN_BUCKET_N, draw_buckets, reliability_buckets, wilson
from reports.plots import ChosenRule, equity_days


def test_equity_axis_fits_a_short_backtest() -> None:
    one_trade = pd.DataFrame({"date": [date(2026, 1, 5)]})

    days = equity_days(one_trade)

    assert list(days) == [pd.Timestamp("2026-01-05")]


def test_equity_axis_spans_the_test_period_and_any_trade_outside_it() -> None:
    trades = pd.DataFrame({"date": [date(2026, 1, 5), date(2026, 3, 2)]})

    days = equity_days(trades, (date(2026, 1, 1), date(2026, 2, 28)))

    assert days[0] == pd.Timestamp("2026-01-01") and days[-1] == pd.Timestamp("2026-03-02")
    assert len(days) == 61


def test_wilson_interval() -> None:
    low, high = wilson(5, 10)

    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert all(math.isnan(bound) for bound in wilson(0, 0))  # no trades, no interval


def test_reliability_buckets_count_predicted_and_realised() -> None:
    trades = pd.DataFrame(
        {
            "rule": ["design"] * 4 + ["fair_value"],
            "contract": ["HIGH"] * 5,
            "probability": [0.81, 0.85, 0.89, 1.0, 0.31],
            "is_win": [True, True, False, True, False],
        }
    )

    buckets = reliability_buckets(trades).set_index(["rule", "bucket"])

    high = buckets.loc[("design", 8)]
    assert high["n"] == 3 and high["wins"] == 2
    assert high["predicted"] == pytest.approx(0.85) and high["win_rate"] == pytest.approx(2 / 3)
    assert buckets.loc[("design", 9), "n"] == 1  # p = 1.0 falls in the top bucket
    assert buckets.loc[("fair_value", 3), "win_rate"] == 0


def test_small_buckets_are_not_joined_and_keep_their_n() -> None:
    fig, ax = plt.subplots()
    n = pd.Series([MIN_BUCKET_N, MIN_BUCKET_N - 1, 400])
    x = pd.Series([0.1, 0.5, 0.9])

    draw_buckets(ax, x, x, x - 0.05, x + 0.05, n, "#1864ab", "HIGH")

    joined = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white"]
    assert [list(line.get_xdata()) for line in joined if len(line.get_xdata())] == [[0.1, 0.9]]
    assert [list(line.get_xdata()) for line in hollow] == [[0.5]]
    assert [t.get_text() for t in ax.texts] == ["30", "29", "400"]
    plt.close(fig)


def test_heatmap_row_label_names_verdict_rule_and_window() -> None:
    rule = ChosenRule("KILL", "design", 600.0, 1440.0)

    assert rule.label == "KILL · design from 10:00"
    assert ChosenRule("GO", "fair_value", None, None).label == "GO · fair_value"
