"""Build the report's sections from the marts and write the HTML file."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from domain.layout import warehouse_path
from reports import plots, queries
from reports.html import Figure, Header, Section, render_page, table
from reports.verdicts import VERDICT_COLUMNS, VERDICT_NUMERIC, verdict_class, verdict_rows
from reports.warehouse import LATEST_NAME, connect_read_only, reports_dir

log = logging.getLogger(__name__)


def _verdict_section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        "verdict",
        "Verdict per station and contract",
        "dim_station_thresholds: the rule, entry window, temperature buffer and minimum edge "
        "chosen on the training days, and the expected value per contract after fees measured "
        "on the test days (out of sample), with its 95% confidence interval.",
    )
    mart = queries.read_mart(con, queries.DIM_STATION_THRESHOLDS)
    if not mart.ok or mart.frame is None:
        section.notes.append(mart.note or "no verdicts")
        return section
    rows = verdict_rows(mart.frame)
    classes = [verdict_class(r["verdict"]) for r in rows]
    go = sum(1 for c in classes if c == "go")
    section.lead += f" {go} of {len(rows)} station-contracts pass."
    section.table_html = table(
        VERDICT_COLUMNS,
        rows,
        row_class=classes,
        numeric=VERDICT_NUMERIC,
        cell_class={"verdict": "verdict"},
    )
    return section


def _per_source_figures(
    section: Section,
    mart: queries.MartFrame,
    render: Callable[[pd.DataFrame, str], str],
    title: str,
    alt: str,
) -> Section:
    if not mart.ok or mart.frame is None:
        section.notes.append(mart.note or f"{mart.mart} has no rows")
        return section
    for source, rows in mart.frame.groupby("data_source", sort=True):
        label = f"{title} — data_source = {source}"
        try:
            png = render(rows.reset_index(drop=True), label)
        except Exception as exc:  # a broken figure must not sink the whole report
            log.exception("could not draw %s for %s", mart.mart, source)
            section.notes.append(f"Could not draw {mart.mart} ({source}): {exc}")
            continue
        section.figures.append(Figure(png, f"{alt} ({source})", f"source: main.{mart.mart}"))
    return section


def build_sections(con: duckdb.DuckDBPyConnection) -> list[Section]:
    """Every section of the report, each carrying a note where its mart is missing or empty."""
    return [
        _verdict_section(con),
        _per_source_figures(
            Section(
                "accuracy",
                "Accuracy against time of day",
                "fct_accuracy_by_window (all days, buffer 0): share of climate days with a settled "
                "ladder on which the bracket holding the running extreme at each 15-minute "
                "checkpoint (only observations published by then) is the bracket that settled YES. "
                "One line per station; HIGH and LOW side by side.",
            ),
            queries.read_mart(con, queries.FCT_ACCURACY_BY_WINDOW),
            plots.accuracy_by_time_of_day,
            "Accuracy of the running extreme by checkpoint",
            "accuracy against time of day",
        ),
        _per_source_figures(
            Section(
                "edge",
                "Edge by station and window",
                "fct_historical_edge (strategy best_edge, all days): realised P&L per contract "
                "after fees on the trades the rule took at each checkpoint, pooled per station, "
                "contract and hour of the day (weighted by trades), in cents. Green = the trades "
                "made money; grey = no trades.",
            ),
            queries.read_mart(con, queries.FCT_HISTORICAL_EDGE),
            plots.edge_heatmap,
            "Realised edge per contract",
            "edge heatmap station x window",
        ),
        _per_source_figures(
            Section(
                "calibration",
                "Market calibration",
                "fct_market_calibration (mid price, all stations pooled): realised YES frequency "
                "per price bucket with its 95% Wilson interval, one line per time-to-close bucket. "
                "Points on the diagonal mean the market is calibrated; above it, YES was cheap.",
            ),
            queries.read_mart(con, queries.FCT_MARKET_CALIBRATION),
            plots.market_calibration,
            "Market calibration",
            "market calibration",
        ),
        _per_source_figures(
            Section(
                "equity",
                "Backtest equity curve",
                "fct_backtest_daily: cumulative P&L after fees of the engine backtest over the test "
                "days, per station and for the whole book.",
            ),
            queries.read_mart(con, queries.FCT_BACKTEST_DAILY),
            plots.equity_curve,
            "Cumulative backtest P&L",
            "equity curve",
        ),
    ]


def render_report(warehouse: Path, now: datetime | None = None) -> str:
    """The report's HTML for a warehouse file (opened read-only)."""
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    if not warehouse.exists():
        header = Header(
            str(warehouse),
            generated,
            {},
            [f"No warehouse at {warehouse}: run `make demo` (or `python -m pipelines run`)."],
        )
        missing = Section("verdict", "Verdict per station and contract", "Nothing to show yet.")
        missing.notes.append("dim_station_thresholds not built yet (no warehouse).")
        return render_page(header, [missing])
    with connect_read_only(warehouse) as con:
        header = Header(str(warehouse), generated, queries.data_source_counts(con))
        if not header.source_rows:
            header.notes.append("No rows with a data_source column: load data and run dbt build.")
        sections = build_sections(con)
    return render_page(header, sections)


def write_report(output: Path | None = None, now: datetime | None = None) -> Path:
    """Write the self-contained go/kill HTML report.

    Args:
        output: the file to write; default
            ``warehouse/reports/gate_report_<UTC timestamp>.html`` beside the warehouse, also
            copied to ``latest.html`` there.
        now: the clock (tests inject it).

    Returns:
        The path written.
    """
    warehouse = warehouse_path()
    moment = now or datetime.now(UTC)
    page = render_report(warehouse, moment)
    if output is None:
        folder = reports_dir(warehouse)
        folder.mkdir(parents=True, exist_ok=True)
        output = folder / f"gate_report_{moment.strftime('%Y%m%dT%H%M%SZ')}.html"
        output.write_text(page, encoding="utf-8")
        shutil.copyfile(output, folder / LATEST_NAME)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    log.info("report written to %s", output)
    return output
