"""``python -m pipelines summary``: what is in the warehouse, and the go/kill verdict.

Read-only: row counts of every raw table and dbt model (split by ``data_source`` where the
relation has that column, so simulated and real rows are never confused), then the verdict
table from ``dim_station_thresholds`` and the path of the latest HTML report.
"""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

from domain.layout import warehouse_path
from reports import queries
from reports.coverage import SIMULATED, SourceCoverage, data_label, ordered_sources
from reports.verdicts import VERDICT_COLUMNS, VERDICT_NUMERIC, verdict_class, verdict_rows
from reports.warehouse import (
    columns_of,
    connect_read_only,
    latest_report,
    raw_schemas,
    relations,
)

COLOURS = {"go": "green", "kill": "red"}


def _count_rows(
    con: duckdb.DuckDBPyConnection, schema: str, name: str
) -> list[tuple[str, int]] | str:
    """(data_source, rows) pairs, ("", rows) without the column, or an error text."""
    relation = f'"{schema}"."{name}"'
    try:
        if "data_source" in columns_of(con, schema, name):
            rows = con.execute(
                f"select coalesce(data_source, '(null)'), count(*) from {relation} "
                "group by 1 order by 1"
            ).fetchall()
            return [(str(s), int(c)) for s, c in rows] or [("", 0)]
        return [("", int(con.execute(f"select count(*) from {relation}").fetchall()[0][0]))]
    except duckdb.Error as exc:
        return f"error: {str(exc).splitlines()[0]}"


def _counts_table(con: duckdb.DuckDBPyConnection) -> Table:
    table = Table(title="Warehouse contents (read-only)")
    table.add_column("schema")
    table.add_column("relation")
    table.add_column("kind")
    table.add_column("data_source")
    table.add_column("rows", justify="right")
    for schema, name, kind in relations(con, (*raw_schemas(con), queries.SCHEMA)):
        counted = _count_rows(con, schema, name)
        if isinstance(counted, str):
            table.add_row(schema, name, kind, "", f"[red]{counted}[/]")
            continue
        for source, rows in counted:
            style = "bold red" if source == "simulated" else "green" if source == "real" else ""
            label = f"[{style}]{source}[/]" if style else source
            table.add_row(schema, name, kind, label, f"{rows:,}")
    return table


def _verdict_table(con: duckdb.DuckDBPyConnection) -> Table | str:
    mart = queries.read_mart(con, queries.DIM_STATION_THRESHOLDS)
    if not mart.ok or mart.frame is None:
        return mart.note or "dim_station_thresholds has no rows"
    rows = verdict_rows(mart.frame)
    sources = ordered_sources(r["data_source"] for r in rows)
    title = "Go/kill verdict (dim_station_thresholds)"
    if SIMULATED in sources:
        title += " — " + data_label(sources)
    # one data source: say it in the title instead of a column
    columns = [
        (key, heading)
        for key, heading in VERDICT_COLUMNS
        if not (key == "data_source" and len(sources) == 1)
        and not (key == "go_min_ev" and mart.frame["go_min_ev"].isna().all())
    ]
    if len(sources) == 1:
        title += f" (data_source = {sources[0]})"
    # every data source in the warehouse, so a loaded source without verdicts is not hidden
    passes = []
    for source in ordered_sources([*sources, *queries.data_source_counts(con)]):
        mine = [r for r in rows if r["data_source"] == source]
        go = sum(1 for r in mine if r["verdict"] == "GO")
        passes.append(f"{source}: {SourceCoverage(source, verdicts=len(mine), go=go).passes}")
    table = Table(title=title, caption="; ".join(passes))
    for key, heading in columns:
        table.add_column(
            heading,
            justify="right" if key in VERDICT_NUMERIC else "left",
            overflow="fold",
            no_wrap=key != "reason",
        )
    for row in rows:
        colour = COLOURS.get(verdict_class(row["verdict"]))
        if colour:
            row = {**row, "verdict": f"[bold {colour}]{row['verdict']}[/]"}
        table.add_row(*(row[key] for key, _ in columns))
    return table


def print_summary(console: Console) -> None:
    """Print row counts, the verdict table and the report path; never writes the warehouse.

    Args:
        console: where to print.

    Raises:
        WarehouseUnavailableError: the warehouse file is missing or cannot be opened.
    """
    path = warehouse_path()
    with connect_read_only(path) as con:
        console.print(_counts_table(con))
        verdict = _verdict_table(con)
    if isinstance(verdict, str):
        console.print(f"[yellow]{verdict}[/]")
    else:
        console.print(verdict)
    report = latest_report(path)
    if report is not None:
        console.print(f"Latest report: {report.resolve()}")
    else:
        console.print("No HTML report yet: run `make report` (python -m pipelines report).")
