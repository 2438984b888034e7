"""Build the report's sections from the marts and write the HTML file."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.report import plots, queries
from pipelines.report.html import Figure, Header, Section, render_page, table
from pipelines.warehouse import warehouse_path

log = logging.getLogger(__name__)

REPORTS_DIRNAME = "reports"
LATEST_NAME = "latest.html"


def reports_dir(warehouse: Path | None = None) -> Path:
    """``warehouse/reports/`` beside the warehouse file."""
    return (warehouse or warehouse_path()).parent / REPORTS_DIRNAME


def latest_report(warehouse: Path | None = None) -> Path | None:
    """The most recent report beside the warehouse, if one was written."""
    latest = reports_dir(warehouse) / LATEST_NAME
    return latest if latest.exists() else None


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_minute(value: object) -> str:
    """Minutes after LST midnight as ``HH:MM LST``."""
    if _is_blank(value):
        return "–"
    try:
        minute = int(float(str(value)))
    except ValueError:
        return str(value)
    return f"{minute // 60:02d}:{minute % 60:02d} LST"


def fmt_number(value: object, places: int = 2, prefix: str = "") -> str:
    """A number with fixed decimals (Decimal-exact), or an en dash when absent."""
    if _is_blank(value):
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    quantum = Decimal(1).scaleb(-places)
    sign = "-" if number < 0 else ""
    return f"{sign}{prefix}{abs(number).quantize(quantum)}"


def fmt_text(value: object) -> str:
    """Plain text, or an en dash when absent."""
    return "–" if _is_blank(value) else str(value)


def _fmt_degrees(value: object) -> str:
    if _is_blank(value):
        return "–"
    number = Decimal(str(value))
    places = 0 if number == number.to_integral_value() else 1
    return f"{fmt_number(number, places)} °F"


def verdict_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Formatted verdict rows (also used by ``pipelines.summary``), sorted by station/contract."""
    ordered = frame.sort_values(["data_source", "station", "contract"], kind="stable")
    rows = []
    for record in ordered.to_dict("records"):
        low, high = record.get("ev_ci_low"), record.get("ev_ci_high")
        ci = (
            f"[{fmt_number(low, 4)}, {fmt_number(high, 4)}]"
            if not (_is_blank(low) or _is_blank(high))
            else "–"
        )
        window = fmt_minute(record.get("window_start"))
        rows.append(
            {
                "data_source": fmt_text(record.get("data_source")),
                "station": fmt_text(record.get("station")),
                "contract": fmt_text(record.get("contract")),
                "rule": fmt_text(record.get("rule")),
                "window_start": window.removesuffix(" LST"),
                "buffer_f": _fmt_degrees(record.get("buffer_f")),
                "min_edge": fmt_number(record.get("min_edge"), 4, "$"),
                "tier": fmt_text(record.get("tier")),
                "ev": fmt_number(record.get("ev"), 4, "$"),
                "ev_ci": ci,
                "test_trades": fmt_text(record.get("test_trades")),
                "test_days": fmt_text(record.get("test_days")),
                "verdict": fmt_text(record.get("verdict")).upper(),
                "reason": fmt_text(record.get("reason")),
            }
        )
    return rows


VERDICT_COLUMNS: list[tuple[str, str]] = [
    ("data_source", "data_source"),
    ("station", "station"),
    ("contract", "contract"),
    ("rule", "rule"),
    ("window_start", "window start (LST)"),
    ("buffer_f", "buffer"),
    ("min_edge", "min edge"),
    ("tier", "tier"),
    ("ev", "EV / contract"),
    ("ev_ci", "95% CI"),
    ("test_trades", "test trades"),
    ("test_days", "test days"),
    ("verdict", "verdict"),
    ("reason", "reason"),
]


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
    classes = [
        "go" if r["verdict"] == "GO" else "kill" if r["verdict"] in ("KILL", "NO-GO") else ""
        for r in rows
    ]
    go = sum(1 for c in classes if c == "go")
    section.lead += f" {go} of {len(rows)} station-contracts pass."
    section.table_html = table(
        VERDICT_COLUMNS,
        rows,
        row_class=classes,
        numeric=frozenset({"buffer_f", "min_edge", "ev", "ev_ci", "test_trades", "test_days"}),
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
    with queries.connect_read_only(warehouse) as con:
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
