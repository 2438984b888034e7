"""Build the report's page from the marts and write the HTML file."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from domain.layout import warehouse_path
from reports import queries
from reports.backtest_sections import equity_section, reliability_section
from reports.book_liquidity import book_liquidity_section
from reports.coverage import load_coverage, ordered_sources
from reports.forecast_strategies import forecast_strategies_section
from reports.html import Header, Section, render_page
from reports.ml_sections import delta_models_section
from reports.sections import (
    Context,
    accuracy_section,
    calibration_section,
    edge_section,
    verdict_section,
)
from reports.trader_results import trader_results_section
from reports.warehouse import LATEST_NAME, connect_read_only, reports_dir

log = logging.getLogger(__name__)


def build_page(con: duckdb.DuckDBPyConnection, header: Header) -> list[Section]:
    """Every section of the report; fills ``header.coverage``.

    Args:
        con: a read-only warehouse connection.
        header: the page header, with ``source_rows`` set.

    Returns:
        The sections in page order, each with a note wherever a data source has nothing.
    """
    sources = ordered_sources(header.source_rows)
    header.coverage = load_coverage(con, sources)
    ctx = Context(
        con, sources, header.coverage, queries.read_mart(con, queries.DIM_STATION_THRESHOLDS)
    )
    trades = queries.read_mart(con, queries.FCT_BACKTEST_TRADES)
    return [
        verdict_section(ctx),
        accuracy_section(ctx),
        edge_section(ctx),
        calibration_section(ctx),
        reliability_section(ctx, trades),
        delta_models_section(con),
        equity_section(ctx, trades),
        forecast_strategies_section(con),
        book_liquidity_section(con),
        trader_results_section(con),
    ]


def render_report(warehouse: Path, now: datetime | None = None) -> str:
    """The report's HTML for a warehouse file (opened read-only).

    Raises:
        WarehouseUnavailableError: the file is missing or cannot be opened.
    """
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    with connect_read_only(warehouse) as con:
        header = Header(str(warehouse), generated, queries.data_source_counts(con))
        if not header.source_rows:
            header.notes.append(
                "No rows with a data_source column: load data (`make demo` for the sample, "
                "`python -m pipelines run --source live` for real data) and run `dbt build`."
            )
        sections = build_page(con, header)
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

    Raises:
        WarehouseUnavailableError: no warehouse to report on (nothing is written).
        OSError: the output cannot be written.
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
