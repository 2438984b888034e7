"""``python -m pipelines``: land weather and Kalshi data in the warehouse, and report on it."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from domain.layout import REPO_ROOT, WAREHOUSE_ENV, warehouse_path
from domain.stations import Station, UnknownStationError, load_stations, station_by_icao
from pipelines.cron import CronCadenceError, cron_schedule
from pipelines.failures import one_line_failure
from pipelines.loading import LoadSummary
from pipelines.lock import Holder, LockMode, WarehouseBusyError, warehouse_lock
from pipelines.warehouse import (
    LoadFailedError,
    WarehouseInUseError,
    clear_load_markers,
    load_in_progress,
)

log = logging.getLogger("pipelines")
# Piped output (make, CI logs) gets a wide console so tables are not squeezed to 80 columns.
console = Console(width=None if sys.stdout.isatty() else 220)

app = typer.Typer(
    help=(
        "Land IEM/NWS weather and Kalshi market data in the DuckDB warehouse "
        "(WAREHOUSE_PATH, default warehouse/kalshi_weather.duckdb), then build the marts with "
        "`python -m pipelines build`."
    ),
    no_args_is_help=True,
    add_completion=False,
)


# Seconds a command waits for a busy warehouse lock: interactive commands fail at once with the
# holder's name (the holder is usually a load or build of minutes, and a silent wait looks like
# a hang); an unattended schedule cycle waits for a user's build or report instead of skipping.
WaitSeconds = Annotated[
    float, typer.Option(min=0, help="seconds to wait for a busy warehouse before giving up")
]
SCHEDULE_WAIT_SECONDS = 600.0


class SourceKind(StrEnum):
    """Where the data comes from."""

    live = "live"
    sample = "sample"
    files = "files"


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    # dlt's own progress logging is chatty; our progress bars say enough.
    logging.getLogger("dlt").setLevel(logging.WARNING)


def _parse_stations(raw: list[str] | None) -> list[Station]:
    if not raw:
        return list(load_stations())
    codes = [code.strip() for item in raw for code in item.split(",") if code.strip()]
    try:
        return [station_by_icao(code) for code in codes]
    except UnknownStationError as exc:
        known = ", ".join(s.icao for s in load_stations())
        raise typer.BadParameter(f"{exc.args[0]}; known stations: {known}") from exc


def _print_summaries(summaries: list[LoadSummary], seconds: float) -> None:
    table = Table(title=f"Loaded into {warehouse_path()} in {seconds:.1f} s")
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


def _run_files(path: Path) -> list[LoadSummary]:
    from pipelines.iem import runner as iem_runner
    from pipelines.kalshi import runner as kalshi_runner

    if not path.exists():
        raise LoadFailedError(f"--path {path} does not exist")
    files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
    iem_files = [p for p in files if iem_runner.claims(p)]
    kalshi_files = [p for p in files if p not in iem_files and kalshi_runner.claims(p)]
    skipped = [p for p in files if p not in iem_files and p not in kalshi_files]
    for p in skipped:
        log.info("skipped %s: not a format this loader knows", p)
    if not iem_files and not kalshi_files:
        raise LoadFailedError(f"no loadable IEM or Kalshi files under {path}")
    summaries = []
    if iem_files:
        summaries.append(iem_runner.run_files(iem_files))
    if kalshi_files:
        summaries.append(kalshi_runner.run_files(kalshi_files))
    return summaries


def _run_live(stations: list[Station], start: date, end: date) -> tuple[list[LoadSummary], int]:
    """Load IEM, then Kalshi; a source that fails says so in one line and the other still runs.

    Returns:
        The summaries of the sources that loaded, and how many failed.
    """
    from adapters.circuit import CircuitTransport
    from adapters.iem.client import IemClient
    from pipelines.iem import runner as iem_runner
    from pipelines.kalshi import runner as kalshi_runner

    def iem(stations: list[Station], start: date, end: date) -> LoadSummary:
        # the circuit stops the source after a few connection failures in a row
        with IemClient(transport=CircuitTransport()) as client:
            return iem_runner.run_live(stations, start, end, client=client)

    summaries: list[LoadSummary] = []
    failed = 0
    for label, load in (("iem live", iem), ("kalshi live", kalshi_runner.run_live)):
        try:
            summaries.append(load(stations, start, end))
        except Exception as exc:
            line = one_line_failure(exc)
            if line is None:
                raise  # a bug, not a condition the user can act on: keep the traceback
            log.error("%s stopped: %s", label, line)
            failed += 1
    return summaries, failed


def _load_marker(holder: Holder) -> AbstractContextManager[None]:
    """The load-in-progress marker for the lock holder: a plain `dbt build` refuses meanwhile."""
    return load_in_progress(holder.pid, holder.host, holder.command, holder.since)


@contextmanager
def _loading(wait_seconds: float) -> Iterator[None]:
    """Hold the exclusive warehouse lock and the load marker for one load command."""
    with warehouse_lock(LockMode.exclusive, wait_seconds) as me, _load_marker(me):
        yield


def _dbt_build(args: list[str]) -> int:
    """Run ``dbt build`` (this venv's dbt) on the warehouse; call it holding the lock.

    Returns:
        dbt's exit status.
    """
    beside = Path(sys.executable).parent / "dbt"
    dbt = str(beside) if beside.exists() else shutil.which("dbt")
    if dbt is None:
        _fail("build: no dbt next to this Python or on PATH; run `make install`")
    for marker in clear_load_markers():
        log.warning(
            "cleared the marker of a load that did not finish: %s; what it had not finished "
            "stays out of the marts, re-run it to complete",
            marker.describe(),
        )
    # dbt runs from the repo (dbt_project.yml) on exactly the file this process locked.
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse_path())}
    log.info("dbt build %s", " ".join(args))
    return subprocess.run([dbt, "build", *args], cwd=REPO_ROOT, env=env, check=False).returncode  # noqa: S603


@app.command()
def run(
    source: Annotated[
        SourceKind, typer.Option(help="live HTTP APIs, the simulated sample, or saved files")
    ],
    stations: Annotated[
        list[str] | None,
        typer.Option(help="ICAO ids, repeated or comma-separated (default: all seven)"),
    ] = None,
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
    wait_seconds: WaitSeconds = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Load one source into the warehouse. Re-running a load never duplicates rows.

    Examples:
      python -m pipelines run --source sample
      python -m pipelines run --source live --stations KMDW,KNYC --start 2026-11-01 --end 2026-11-20
      python -m pipelines run --source files --path ../shared/realdata/kalshi
    """
    _setup_logging(verbose)
    chosen = _parse_stations(stations)
    start_date: date | None = start.date() if start else None
    end_date: date | None = end.date() if end else None
    if start_date and end_date and start_date > end_date:
        raise typer.BadParameter("--start is after --end")
    files_path = None
    if source is SourceKind.files:
        if path is None:
            raise typer.BadParameter("--source files needs --path DIR")
        if stations or start or end:
            # files carry their own stations and dates: say so rather than ignore the options
            raise typer.BadParameter("--stations/--start/--end do not apply to --source files")
        files_path = path
    elif path is not None:
        raise typer.BadParameter("--path applies to --source files only")
    began = time.perf_counter()
    failed = 0
    try:
        with _loading(wait_seconds):
            if files_path is not None:
                summaries = _run_files(files_path)
            elif source is SourceKind.sample:
                from pipelines.sample.runner import run_sample

                summaries = run_sample(chosen, start_date, end_date)
            else:
                live_end = end_date or datetime.now(UTC).date()
                live_start = start_date or live_end - timedelta(days=lookback_days)
                summaries, failed = _run_live(chosen, live_start, live_end)
    except Exception as exc:
        line = one_line_failure(exc)
        if line is None:
            raise
        _fail(f"load failed: {line}")
    _print_summaries(summaries, time.perf_counter() - began)
    if failed:
        raise typer.Exit(code=1)


@app.command()
def schedule(
    every_minutes: Annotated[int, typer.Option(min=5, help="minutes between refreshes")] = 60,
    lookback_days: Annotated[
        int, typer.Option(min=1, help="climate days re-fetched each time")
    ] = 2,
    stations: Annotated[list[str] | None, typer.Option(help="ICAO ids (default: all)")] = None,
    iterations: Annotated[
        int | None, typer.Option(help="stop after N refreshes (default: run until stopped)")
    ] = None,
    print_cron: Annotated[
        bool, typer.Option("--print-cron", help="print a crontab line instead of looping")
    ] = False,
    build: Annotated[
        bool, typer.Option(help="run `dbt build` after each refresh, under the same lock")
    ] = True,
    wait_seconds: WaitSeconds = SCHEDULE_WAIT_SECONDS,
) -> None:
    """Refresh the live sources on a fixed cadence (IEM asks for at most hourly polling).

    Each refresh re-fetches the last few climate days (merges make the overlap harmless), then
    builds the marts. A refresh holds the warehouse lock: it waits for a running build, load
    or report (up to --wait-seconds), and nothing builds on its half-finished load.
    """
    _setup_logging(False)
    chosen = _parse_stations(stations)
    if print_cron:
        codes = ",".join(s.icao for s in chosen)
        try:
            when = cron_schedule(every_minutes)
        except CronCadenceError as exc:
            _fail(f"schedule: {exc}")
        # the same window as the loop's refresh (--lookback-days)
        console.print(
            f"{when} cd {Path.cwd()} && .venv/bin/python -m pipelines run "
            f"--source live --stations {codes} --lookback-days {lookback_days} "
            f"--wait-seconds {wait_seconds:.0f} && "
            f".venv/bin/python -m pipelines build --wait-seconds {wait_seconds:.0f} --quiet",
            soft_wrap=True,
        )
        return
    done = 0
    while iterations is None or done < iterations:
        began = time.perf_counter()
        end_date = datetime.now(UTC).date()
        start_date = end_date - timedelta(days=lookback_days)
        try:
            with warehouse_lock(LockMode.exclusive, wait_seconds) as me:
                with _load_marker(me):
                    summaries, _ = _run_live(chosen, start_date, end_date)
                _print_summaries(summaries, time.perf_counter() - began)
                # the build holds the refresh's lock: no load or reader slips in between
                status = _dbt_build(["--quiet"]) if build and summaries else 0
                if status:
                    log.error("dbt build failed (exit %d); the next refresh builds again", status)
        except Exception as exc:
            # One failed refresh must not stop the schedule; the next one retries.
            line = one_line_failure(exc)
            if line is None:
                raise
            log.error("refresh failed: %s", line)
        done += 1
        if iterations is None or done < iterations:
            time.sleep(every_minutes * 60)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def build(ctx: typer.Context, wait_seconds: WaitSeconds = 0) -> None:
    """Run `dbt build` holding the warehouse lock; other arguments go to dbt.

    A running load, build or report makes this exit at once naming it (or wait up to
    --wait-seconds). Clears the marker a killed load left, which blocks a plain `dbt build`.

    Examples:
      python -m pipelines build --quiet
      python -m pipelines build --select +fct_backtest_trades --target-path target/x
    """
    _setup_logging(False)
    try:
        with warehouse_lock(LockMode.exclusive, wait_seconds):
            status = _dbt_build(list(ctx.args))
    except (WarehouseBusyError, WarehouseInUseError) as exc:
        _fail(f"build: {exc}")
    raise typer.Exit(status)


@app.command()
def report(
    output: Annotated[Path | None, typer.Option(help="HTML file to write")] = None,
    wait_seconds: WaitSeconds = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Write the self-contained go/kill HTML report to warehouse/reports/."""
    _setup_logging(verbose)
    # imported here: matplotlib is for this command only, not for loads
    from reports.build import write_report
    from reports.warehouse import WarehouseUnavailableError

    try:
        with warehouse_lock(LockMode.shared, wait_seconds):  # readers share; writers wait
            written = write_report(output)
    except (WarehouseUnavailableError, WarehouseBusyError) as exc:
        _fail(f"report: {exc}")
    except OSError as exc:
        _fail(f"report: cannot write {exc.filename or output}: {exc.strerror or exc}")
    console.print(f"report written: {written}")


@app.command()
def summary(wait_seconds: WaitSeconds = 0) -> None:
    """Print row counts of every raw table and mart in the warehouse (read-only)."""
    _setup_logging(False)
    from reports.summary import print_summary
    from reports.warehouse import WarehouseUnavailableError

    try:
        with warehouse_lock(LockMode.shared, wait_seconds):
            print_summary(console)
    except (WarehouseUnavailableError, WarehouseBusyError) as exc:
        _fail(f"summary: {exc}")


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit status 1: for errors the user can act on, not bugs."""
    Console(stderr=True, width=None if sys.stderr.isatty() else 220).print(
        message, style="red", markup=False, highlight=False, soft_wrap=True
    )
    raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
