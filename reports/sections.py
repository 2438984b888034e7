"""The report's sections, built from the marts one data source at a time.

Every section shows each data source on the page: a figure (or table rows) where the mart has
that source's rows, otherwise a note saying why it has none and what to load or build.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from reports import calibration_plots, plots, queries
from reports.coverage import SourceCoverage, why_empty
from reports.html import Figure, Section, table
from reports.verdicts import (
    ENTRY_EDGE_LEGEND,
    GO_BAR_IN_REASON_LEGEND,
    GO_BAR_LEGEND,
    VERDICT_COLUMNS,
    VERDICT_NUMERIC,
    verdict_class,
    verdict_rows,
)

log = logging.getLogger(__name__)

# A drawing gives a figure, or a sentence saying why this source has nothing to draw.
Draw = Callable[[str, pd.DataFrame], Figure | str]

NEEDS_VERDICT = (
    "candidate trades on train and test days, i.e. executable quotes at the checkpoints of days "
    "with observations"
)
NEEDS_QUOTES = "executable quotes (candles or order books) at the checkpoints of those days"


@dataclass
class Context:
    """What every section needs: the connection, the page's data sources and their coverage."""

    con: duckdb.DuckDBPyConnection
    sources: list[str]
    coverage: dict[str, SourceCoverage]
    verdicts: queries.MartFrame

    def verdicts_of(self, source: str) -> pd.DataFrame:
        """``dim_station_thresholds`` rows of one data source (maybe none)."""
        frame = self.verdicts.frame
        if frame is None:
            return pd.DataFrame(columns=list(queries.MART_FIELDS[queries.DIM_STATION_THRESHOLDS]))
        return frame[frame["data_source"].astype(str) == source]


def _rows_of(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    return frame[frame["data_source"].astype(str) == source].reset_index(drop=True)


def per_source(
    ctx: Context,
    section: Section,
    mart: queries.MartFrame,
    draw: Draw,
    needs: str,
    observations: bool = True,
    empty: Callable[[str], str] | None = None,
) -> Section:
    """Draw ``mart`` once per data source; a source without rows gets a note saying why.

    Args:
        ctx: the page's context.
        section: the section to fill.
        mart: the mart read by ``queries.read_mart``.
        draw: figure (or reason) for one source's rows.
        needs: what the mart needs beyond observations and settled markets.
        observations: whether the mart needs IEM observations.
        empty: the reason for a source without rows, when ``why_empty``'s is not the right one.

    Returns:
        ``section``, with figures and notes added.
    """
    if mart.frame is None or (mart.frame.empty and not ctx.sources):
        section.notes.append(mart.note or f"{mart.mart} has no rows")
        return section
    for source in ctx.sources:
        rows = _rows_of(mart.frame, source)
        if rows.empty:
            section.notes.append(
                empty(source)
                if empty is not None
                else why_empty(ctx.coverage[source], mart.mart, needs, observations)
            )
            continue
        try:
            drawn = draw(source, rows)
        except Exception as exc:  # a broken figure must not sink the whole report
            log.exception("could not draw %s for %s", mart.mart, source)
            section.notes.append(f"Could not draw {mart.mart} ({source}): {exc}")
            continue
        if isinstance(drawn, str):
            section.notes.append(drawn)
        else:
            section.figures.append(drawn)
    return section


def verdict_section(ctx: Context) -> Section:
    """The verdict table, with the pass count per data source."""
    section = Section(
        "verdict",
        "Verdict per station and contract",
        "dim_station_thresholds: the rule, entry window, temperature buffer and entry minimum edge "
        "chosen on the training days, and the expected value per contract after fees measured "
        "on the test days (out of sample), with its 95% confidence interval.",
        legend=f"{ENTRY_EDGE_LEGEND} {GO_BAR_LEGEND}",
    )
    mart = ctx.verdicts
    if mart.frame is None:
        section.notes.append(mart.note or "no verdicts")
        return section
    counts = []
    for source in ctx.sources:
        cover = ctx.coverage[source]
        counts.append(f"{source}: {cover.passes}")
        if not cover.verdicts:
            section.notes.append(
                f"no {source} verdicts: " + why_empty(cover, mart.mart, NEEDS_VERDICT)
            )
    if counts:
        section.lead += " " + "; ".join(counts) + "."
    if mart.frame.empty:
        return section
    rows = verdict_rows(mart.frame)
    columns = VERDICT_COLUMNS
    if mart.frame["go_min_ev"].isna().all():
        # the mart does not carry the verdict's EV bar: say where it is instead of a column of –
        columns = [c for c in VERDICT_COLUMNS if c[0] != "go_min_ev"]
        section.legend = f"{ENTRY_EDGE_LEGEND} {GO_BAR_IN_REASON_LEGEND}"
    section.table_html = table(
        columns,
        rows,
        row_class=[verdict_class(r["verdict"]) for r in rows],
        numeric=VERDICT_NUMERIC,
        cell_class={"verdict": "verdict"},
    )
    return section


def _chosen_rules(verdicts: pd.DataFrame) -> dict[tuple[str, str], plots.ChosenRule]:
    chosen = {}
    for record in verdicts.to_dict("records"):
        rule, start, end = record.get("rule"), record.get("window_start"), record.get("window_end")
        chosen[(str(record["station"]), str(record["contract"]))] = plots.ChosenRule(
            verdict=str(record["verdict"]).upper(),
            rule="no rule chosen" if rule is None or pd.isna(rule) else str(rule),
            window_start_minute=None if start is None or pd.isna(start) else float(start),
            window_end_minute=None if end is None or pd.isna(end) else float(end),
        )
    return chosen


def edge_section(ctx: Context) -> Section:
    """The realised-edge heatmap, each row labelled with its verdict and rule."""
    section = Section(
        "edge",
        "Edge by station and window",
        "fct_historical_edge (strategy best_edge: at each checkpoint buy the bracket with the "
        "largest model EV if it clears gate_min_edge; all days, train and test): realised P&L per "
        "contract after fees, pooled per station, contract and hour of the day (weighted by "
        "trades), in cents. Each row is labelled with its station-contract's verdict and chosen "
        "rule from dim_station_thresholds; the outlined hours are the ones that rule trades "
        "(window start to the end of the day); faint cells lie outside it, so the verdict never "
        "traded them and a green faint cell is no argument for GO. Grey = no trades.",
    )

    def draw(source: str, rows: pd.DataFrame) -> Figure:
        chosen = _chosen_rules(ctx.verdicts_of(source))
        png = plots.edge_heatmap(
            rows, f"Realised edge per contract — data_source = {source}", chosen
        )
        return Figure(
            png, f"edge heatmap station x window ({source})", "source: main.fct_historical_edge"
        )

    return per_source(
        ctx, section, queries.read_mart(ctx.con, queries.FCT_HISTORICAL_EDGE), draw, NEEDS_QUOTES
    )


def accuracy_section(ctx: Context) -> Section:
    """Accuracy of the running extreme against the checkpoint."""
    section = Section(
        "accuracy",
        "Accuracy against time of day",
        "fct_accuracy_by_window (all days, buffer 0): share of climate days with a settled "
        "ladder on which the bracket holding the running extreme at each 15-minute "
        "checkpoint (only observations published by then) is the bracket that settled YES. "
        "One line per station; HIGH and LOW side by side.",
    )

    def draw(source: str, rows: pd.DataFrame) -> Figure:
        png = plots.accuracy_by_time_of_day(
            rows, f"Accuracy of the running extreme by checkpoint — data_source = {source}"
        )
        return Figure(
            png, f"accuracy against time of day ({source})", "source: main.fct_accuracy_by_window"
        )

    return per_source(
        ctx,
        section,
        queries.read_mart(ctx.con, queries.FCT_ACCURACY_BY_WINDOW),
        draw,
        "a settled ladder on days with observations",
    )


def calibration_section(ctx: Context) -> Section:
    """The market's calibration, small buckets greyed."""
    section = Section(
        "calibration",
        "Market calibration",
        "fct_market_calibration (mid price, all stations pooled): realised YES frequency "
        "per price bucket with its 95% Wilson interval, one line per time-to-close bucket; the "
        "number beside each point is its markets. Points on the diagonal mean the market is "
        "calibrated; above it, YES was cheap. Buckets with fewer than "
        f"{calibration_plots.MIN_BUCKET_N} markets are hollow, faint and not joined: their 95% "
        "interval is wider than ±0.17, so they say next to nothing.",
    )

    def draw(source: str, rows: pd.DataFrame) -> Figure:
        png = calibration_plots.market_calibration(
            rows, f"Market calibration — data_source = {source}"
        )
        return Figure(png, f"market calibration ({source})", "source: main.fct_market_calibration")

    return per_source(
        ctx,
        section,
        queries.read_mart(ctx.con, queries.FCT_MARKET_CALIBRATION),
        draw,
        "mid quotes before the close of settled markets",
        observations=False,
    )
