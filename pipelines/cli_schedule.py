"""``python -m pipelines schedule``: the refresh cycle (load, build, export) on a cadence."""

from __future__ import annotations

import shlex
from datetime import timedelta
from functools import partial
from typing import Annotated

import typer

from domain.layout import REPO_ROOT, WAREHOUSE_ENV, warehouse_path
from pipelines.cli_shared import (
    StationsOption,
    WaitSeconds,
    console,
    fail,
    parse_stations,
    setup_logging,
)
from pipelines.cron import CronCadenceError, cron_schedule
from pipelines.refresh import run_cycle, run_schedule

# An unattended cycle waits this long for a user's build or report instead of skipping.
SCHEDULE_WAIT_SECONDS = 600.0
# Where the crontab line appends the cycles' output: beside the warehouse, like its exports.
CRON_LOG_NAME = "refresh.log"


def cron_line(
    every_minutes: int,
    codes: list[str],
    lookback_days: int,
    wait_seconds: float,
    build: bool,
    dbt_args: list[str],
) -> str:
    """The crontab line running one cycle (``schedule --once``) at the cadence.

    Args:
        every_minutes: minutes between cycles.
        codes: the stations' ICAO ids.
        lookback_days: climate days re-fetched per cycle.
        wait_seconds: how long a cycle waits for a busy warehouse.
        build: whether cycles build.
        dbt_args: more arguments for ``dbt build``.

    Returns:
        The line: absolute paths and the warehouse, since cron runs with a bare environment.

    Raises:
        CronCadenceError: cron cannot run the cadence evenly.
    """
    warehouse = warehouse_path()
    command = [
        str(REPO_ROOT / ".venv" / "bin" / "python"),
        *("-m", "pipelines", "schedule", "--once", "--stations", ",".join(codes)),
        *("--lookback-days", str(lookback_days), "--wait-seconds", f"{wait_seconds:.0f}"),
        *(() if build else ("--no-build",)),
        *dbt_args,
    ]
    return (
        f"{cron_schedule(every_minutes)} cd {shlex.quote(str(REPO_ROOT))} && "
        f"{WAREHOUSE_ENV}={shlex.quote(str(warehouse))} {shlex.join(command)} "
        f">> {shlex.quote(str(warehouse.parent / CRON_LOG_NAME))} 2>&1"
    )


def schedule(
    ctx: typer.Context,
    every_minutes: Annotated[int, typer.Option(min=5, help="minutes between refreshes")] = 60,
    lookback_days: Annotated[
        int, typer.Option(min=1, help="climate days re-fetched each time")
    ] = 2,
    stations: StationsOption = None,
    iterations: Annotated[
        int | None,
        typer.Option(min=1, help="stop after N refreshes (default: run until stopped)"),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="run one refresh and exit (for cron and tests)")
    ] = False,
    print_cron: Annotated[
        bool, typer.Option("--print-cron", help="print a crontab line instead of looping")
    ] = False,
    build: Annotated[
        bool, typer.Option(help="run `dbt build` after each refresh, under the same lock")
    ] = True,
    wait_seconds: WaitSeconds = SCHEDULE_WAIT_SECONDS,
) -> None:
    """Refresh on a fixed cadence: live load, `dbt build`, the trader's export.

    Each refresh re-fetches the last few climate days of observations, CLI/CF6 and Kalshi
    (merges make the overlap harmless), builds the marts and rewrites the thresholds export
    atomically, all under one warehouse lock: it waits for a running build, load or report (up
    to --wait-seconds), and nothing reads or builds half-way. The first refresh runs at once,
    the next --every-minutes after it ends (IEM asks for at most hourly polling). A failed
    refresh is logged and counted, and the next one runs; each logs one summary line.
    With --once or --iterations, the exit status is 1 if any refresh failed. Other arguments
    go to `dbt build` (after --quiet).

    Examples:
      python -m pipelines schedule --every-minutes 60
      python -m pipelines schedule --once --stations KNYC,KMDW
      python -m pipelines schedule --print-cron
    """
    setup_logging(False)
    chosen = parse_stations(stations)
    if print_cron:
        codes = [s.icao for s in chosen]
        try:
            line = cron_line(
                every_minutes, codes, lookback_days, wait_seconds, build, list(ctx.args)
            )
        except CronCadenceError as exc:
            fail(f"schedule: {exc}")
        console.print(line, soft_wrap=True, markup=False, highlight=False)
        return
    dbt_args = ("--quiet", *ctx.args)
    cycle = partial(run_cycle, chosen, lookback_days, wait_seconds, build, dbt_args)
    tally = run_schedule(cycle, timedelta(minutes=every_minutes), 1 if once else iterations)
    if tally.failed:
        raise typer.Exit(1)
