"""What every ``python -m pipelines`` command shares: console, logging, options, one-line errors."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from domain.layout import warehouse_path
from domain.stations import (
    Station,
    UnknownStationError,
    default_stations,
    load_stations,
    station_by_icao,
)
from pipelines.lake import lake_path
from pipelines.loading import LoadSummary

log = logging.getLogger("pipelines")
# Piped output (make, CI logs) gets a wide console so tables are not squeezed to 80 columns.
console = Console(width=None if sys.stdout.isatty() else 220)

# Seconds a command waits for a busy warehouse lock: interactive commands fail at once with the
# holder's name (the holder is usually a load or build of minutes, and a silent wait looks like
# a hang); an unattended schedule cycle waits for a user's build or report instead of skipping.
WaitSeconds = Annotated[
    float, typer.Option(min=0, help="seconds to wait for a busy warehouse before giving up")
]
StationsOption = Annotated[
    list[str] | None,
    typer.Option(
        help="ICAO ids, repeated or comma-separated (default: the registry's trade_by_default)"
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v")]


def setup_logging(verbose: bool) -> None:
    """Rich log lines on the console; DEBUG with ``--verbose``, dlt kept at WARNING."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    # dlt's own progress logging and httpx's line per request are chatty; our progress bars
    # say enough (--verbose shows the requests).
    logging.getLogger("dlt").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)


def parse_stations(raw: list[str] | None) -> list[Station]:
    """The stations named by ``--stations`` (the registry's ``trade_by_default`` when none are).

    Args:
        raw: the option's values, each one ICAO id or a comma-separated list.

    Returns:
        The stations, in the order given.

    Raises:
        typer.BadParameter: an id is not in the registry (the message lists the known ones).
    """
    if not raw:
        return list(default_stations())
    codes = [code.strip() for item in raw for code in item.split(",") if code.strip()]
    try:
        return [station_by_icao(code) for code in codes]
    except UnknownStationError as exc:
        known = ", ".join(s.icao for s in load_stations())
        raise typer.BadParameter(f"{exc.args[0]}; known stations: {known}") from exc


def print_summaries(summaries: list[LoadSummary], seconds: float) -> None:
    """The rows per table after a load, its notes as warnings, and the rejects it added."""
    table = Table(title=f"Loaded into {lake_path() or warehouse_path()} in {seconds:.1f} s")
    table.add_column("source")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for summary in summaries:
        for name, rows in sorted(summary.table_rows.items()):
            table.add_row(summary.source, f"{summary.dataset}.{name}", f"{rows:,}")
        for note in summary.notes:
            log.warning("%s: %s", summary.source, note)
    console.print(table)
    rejects = sum(summary.rejects_added for summary in summaries)
    if rejects:
        log.warning("%d input rows were rejected; see the rejects tables for reasons", rejects)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit status 1: for errors the user can act on, not bugs."""
    Console(stderr=True, width=None if sys.stderr.isatty() else 220).print(
        message, style="red", markup=False, highlight=False, soft_wrap=True
    )
    raise typer.Exit(1)
