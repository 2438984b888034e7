"""The sections read from ``fct_backtest_trades``: the engine's own calibration, and the book.

Both use the bought brackets of the engine backtest on the test days. The reliability diagram
takes every station-contract (the gate priced them all); the equity curve takes only the GO
ones, because that is what the trader would trade.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from reports import calibration_plots, plots, queries
from reports.coverage import why_empty
from reports.html import Figure, Section
from reports.sections import NEEDS_VERDICT, Context, per_source

# The risk scope under which a GO-only sum is exactly the traded book: each station-contract
# keeps its own halt and loss limit, so dropping KILL books changes no GO trade.
INDEPENDENT_BOOKS = "station_contract"


def _no_trades(ctx: Context, source: str) -> str:
    cover = ctx.coverage[source]
    if not cover.verdicts:
        return f"no {source} verdicts, so no backtest: " + why_empty(
            cover, queries.DIM_STATION_THRESHOLDS, NEEDS_VERDICT
        )
    return (
        f"no {source} bought brackets in fct_backtest_trades: the {cover.verdicts} {source} "
        "station-contracts took no trade on their test days."
    )


def _dollars(value: float) -> str:
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def reliability_section(ctx: Context, trades: queries.MartFrame) -> Section:
    """Predicted against realised win rate of the bought brackets, per rule, with n."""
    section = Section(
        "reliability",
        "Model calibration: the probabilities the gate priced with",
        "fct_backtest_trades (bought brackets on the test days, every station-contract): the "
        "probability the engine priced each trade's EV with (the window's accuracy for the design "
        "rule, the model's bracket probability for fair_value), in buckets of "
        f"{calibration_plots.PROBABILITY_BUCKET_WIDTH:g}, against the share of those brackets "
        "that settled YES, with 95% Wilson intervals; the number beside each point is its trades. "
        "Below the diagonal the engine overrates its brackets and its EVs are too high. Buckets "
        f"with fewer than {calibration_plots.MIN_BUCKET_N} trades are hollow, faint and not "
        "joined.",
    )

    def draw(source: str, rows: pd.DataFrame) -> Figure:
        png = calibration_plots.reliability_diagram(
            rows, f"Reliability of the priced probability — data_source = {source}"
        )
        wins = rows["is_win"].astype(bool)
        caption = (
            f"source: main.fct_backtest_trades; {len(rows)} bought brackets, mean priced "
            f"probability {rows['probability'].mean():.2f}, won {wins.mean():.2f}"
        )
        return Figure(png, f"reliability diagram of the priced probability ({source})", caption)

    return per_source(ctx, section, trades, draw, NEEDS_VERDICT, empty=lambda s: _no_trades(ctx, s))


def _test_period(verdicts: pd.DataFrame) -> tuple[date, date] | None:
    starts, ends = verdicts["test_start"].dropna(), verdicts["test_end"].dropna()
    if starts.empty or ends.empty:
        return None
    return pd.Timestamp(starts.min()).date(), pd.Timestamp(ends.max()).date()


def equity_section(ctx: Context, trades: queries.MartFrame) -> Section:
    """Cumulative P&L of the GO station-contracts (the book the trader would run)."""
    section = Section(
        "equity",
        "Backtest equity curve: GO station-contracts only",
        "fct_backtest_trades: cumulative P&L after fees of the engine backtest over the test days, "
        "per station-contract and for the whole book. The whole book counts only the GO rows of "
        "dim_station_thresholds, the ones the trader would trade; trades on KILL "
        "station-contracts are left out (their count and P&L are given under each figure).",
    )

    def draw(source: str, rows: pd.DataFrame) -> Figure | str:
        is_go = rows["station_verdict"].astype(str).str.upper() == "GO"
        go, kill = rows[is_go], rows[~is_go]
        left_out = (
            f"{len(kill)} trades on "
            f"{kill.groupby(['station', 'contract']).ngroups} KILL station-contracts "
            f"(P&L {_dollars(float(kill['pnl'].sum()))})"
        )
        if go.empty:
            return (
                f"no {source} station-contract is GO, so the trader would trade nothing and "
                f"there is no {source} book to draw; left out: {left_out}."
            )
        verdicts = ctx.verdicts_of(source)
        period = _test_period(verdicts[verdicts["verdict"].astype(str).str.upper() == "GO"])
        png = plots.equity_curve(
            go,
            f"Cumulative backtest P&L, GO station-contracts only — data_source = {source}",
            period,
        )
        names = ", ".join(
            sorted({f"{s} {c}" for s, c in zip(go["station"], go["contract"], strict=True)})
        )
        caption = (
            f"source: main.fct_backtest_trades. Whole book = {len(go)} trades on the GO "
            f"station-contracts ({names}), P&L {_dollars(float(go['pnl'].sum()))}; "
            f"left out: {left_out}."
        )
        scopes = set(rows["risk_scope"].dropna().astype(str))
        if scopes and scopes != {INDEPENDENT_BOOKS}:
            caption += (
                f" Risk scope {', '.join(sorted(scopes))}: the backtest's halts were shared with "
                "the KILL books, so this GO-only sum is an approximation of the traded book."
            )
        return Figure(png, f"equity curve, GO only ({source})", caption)

    return per_source(ctx, section, trades, draw, NEEDS_VERDICT, empty=lambda s: _no_trades(ctx, s))
