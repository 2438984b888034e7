"""``python -m pipelines``: land weather and Kalshi data in the warehouse, and report on it.

The commands of their own modules are registered at the end of this file: a new command is its
import and one ``app.command`` line; a new ``--source`` is an entry of ``pipelines.sources``.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli_check import check
from pipelines.cli_schedule import schedule
from pipelines.cli_shared import (
    StationsOption,
    Verbose,
    WaitSeconds,
    console,
    fail,
    parse_stations,
    print_summaries,
    setup_logging,
)
from pipelines.dbt_build import DbtMissingError, dbt_build
from pipelines.failures import one_line_failure
from pipelines.kalshi_ws.command import record_command
from pipelines.lake import lake_chosen
from pipelines.lock import LockMode, WarehouseBusyError, warehouse_lock
from pipelines.sources import SOURCES, LoadRequest, SourceKind, loading
from pipelines.warehouse import WarehouseInUseError

app = typer.Typer(
    help=(
        "Land IEM/NWS weather and Kalshi market data in the DuckDB warehouse "
        "(WAREHOUSE_PATH, default warehouse/kalshi_weather.duckdb), then build the marts with "
        "`python -m pipelines build`."
    ),
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def run(
    source: Annotated[
        SourceKind,
        typer.Option(
            help="live HTTP APIs (IEM, Kalshi), the simulated sample, saved files, a trader "
            "journal, or Visual Crossing"
        ),
    ],
    stations: StationsOption = None,
    start: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="first climate date (live, sample)"),
    ] = None,
    end: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="last climate date (live, sample)")
    ] = None,
    path: Annotated[
        Path | None, typer.Option(help="folder or file to import (--source files)")
    ] = None,
    lookback_days: Annotated[
        int, typer.Option(min=1, help="live without --start: climate days before --end")
    ] = 7,
    max_records: Annotated[
        int | None, typer.Option(min=1, help="visual_crossing: records this load may spend")
    ] = None,
    lake: Annotated[
        str | None,
        typer.Option(
            help="write the raw tables as Parquet under this folder (or s3://... URL) instead "
            "of the warehouse file; default: env RAW_LAKE_PATH (docs/scale.md)"
        ),
    ] = None,
    wait_seconds: WaitSeconds = 0,
    verbose: Verbose = False,
) -> None:
    """Load one source into the warehouse (or a Parquet lake). Re-running a load never
    duplicates rows.

    Examples:
      python -m pipelines run --source sample
      python -m pipelines run --source live --stations KMDW,KNYC --start 2026-11-01 --end 2026-11-20
      python -m pipelines run --source files --path ../shared/realdata/kalshi
      python -m pipelines run --source visual_crossing --stations KMDW --max-records 200
      python -m pipelines run --source sample --lake warehouse/lake
    """
    setup_logging(verbose)
    chosen = SOURCES[source]
    request = LoadRequest(
        parse_stations(stations),
        start=start.date() if start else None,
        end=end.date() if end else None,
        path=path,
        lookback_days=lookback_days,
        max_records=max_records,
    )
    if request.start and request.end and request.start > request.end:
        raise typer.BadParameter("--start is after --end")
    if chosen.takes_path and path is None:
        raise typer.BadParameter(f"--source {source} needs --path DIR")
    if not chosen.takes_path and path is not None:
        raise typer.BadParameter(f"--path does not apply to --source {source}")
    if max_records is not None and source is not SourceKind.visual_crossing:
        raise typer.BadParameter(f"--max-records does not apply to --source {source}")
    if not chosen.takes_window and (stations or start or end):
        # files carry their own stations and dates: say so rather than ignore the options
        raise typer.BadParameter(f"--stations/--start/--end do not apply to --source {source}")
    began = time.perf_counter()
    with lake_chosen(lake):
        try:
            with loading(wait_seconds):
                outcome = chosen.load(request)
        except Exception as exc:
            line = one_line_failure(exc)
            if line is None:
                raise
            fail(f"load failed: {line}")
        print_summaries(outcome.summaries, time.perf_counter() - began)
    if outcome.failures:
        raise typer.Exit(code=1)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def build(ctx: typer.Context, wait_seconds: WaitSeconds = 0) -> None:
    """Run `dbt build` holding the warehouse lock; other arguments go to dbt.

    A running load, build or report makes this exit at once naming it (or wait up to
    --wait-seconds). Clears the marker a killed load left, which blocks a plain `dbt build`.

    Examples:
      python -m pipelines build --quiet
      python -m pipelines build --select +fct_backtest_trades --target-path target/x
    """
    setup_logging(False)
    try:
        with warehouse_lock(LockMode.exclusive, wait_seconds):
            status = dbt_build(list(ctx.args))
    except (WarehouseBusyError, WarehouseInUseError, DbtMissingError) as exc:
        fail(f"build: {exc}")
    raise typer.Exit(status)


@app.command()
def report(
    output: Annotated[Path | None, typer.Option(help="HTML file to write")] = None,
    wait_seconds: WaitSeconds = 0,
    verbose: Verbose = False,
) -> None:
    """Write the self-contained go/kill HTML report to warehouse/reports/."""
    setup_logging(verbose)
    # imported here: matplotlib is for this command only, not for loads
    from reports.build import write_report
    from reports.warehouse import WarehouseUnavailableError

    try:
        with warehouse_lock(LockMode.shared, wait_seconds):  # readers share; writers wait
            written = write_report(output)
    except (WarehouseUnavailableError, WarehouseBusyError) as exc:
        fail(f"report: {exc}")
    except OSError as exc:
        fail(f"report: cannot write {exc.filename or output}: {exc.strerror or exc}")
    console.print(f"report written: {written}")


@app.command()
def summary(wait_seconds: WaitSeconds = 0) -> None:
    """Print row counts of every raw table and mart in the warehouse (read-only)."""
    setup_logging(False)
    from reports.summary import print_summary
    from reports.warehouse import WarehouseUnavailableError

    try:
        with warehouse_lock(LockMode.shared, wait_seconds):
            print_summary(console)
    except (WarehouseUnavailableError, WarehouseBusyError) as exc:
        fail(f"summary: {exc}")


# Commands kept in their own modules.
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(schedule)
app.command()(check)
app.command(name="record")(record_command)


if __name__ == "__main__":  # pragma: no cover
    app()
