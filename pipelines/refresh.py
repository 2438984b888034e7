"""The refresh cycle that keeps the trader fed, and the loop that repeats it (``schedule``).

One cycle, holding the exclusive warehouse lock from start to end so no build or reader slips
in between: the incremental live load (IEM observations, CLI and CF6, then Kalshi, over the
last ``lookback_days`` climate days; merges make the overlap harmless) -> ``dbt build`` -> the
thresholds export, which ``rpt_station_thresholds_export`` replaces atomically during the build.
A failed cycle is logged and counted; the loop runs the next one on time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import duckdb
import schedule

from domain.layout import warehouse_path
from domain.stations import Station
from pipelines.dbt_build import DbtMissingError, dbt_build
from pipelines.failures import one_line_failure
from pipelines.freshness import listed_export
from pipelines.loading import table_row_counts
from pipelines.lock import LockMode, warehouse_lock
from pipelines.sources import LoadRequest, load_live, load_marker
from pipelines.warehouse import IEM_DATASET, KALSHI_DATASET

log = logging.getLogger(__name__)

# The trader trades real rows only: the cycle reports the rows of that export.
TRADED_DATA_SOURCE = "real"


@dataclass
class CycleReport:
    """What one refresh cycle did.

    Attributes:
        build_wanted: the cycle was asked to build (``--no-build`` says not).
        new_rows: rows added to the warehouse per source that loaded (``iem live``: 120).
        rejects: input rows rejected per source that loaded.
        source_failures: one line per source that failed (``kalshi live: <reason>``).
        error: why the whole cycle failed (a busy warehouse...), None if it did not.
        build_status: dbt's exit status; None when the build did not run.
        export_rows: rows of the trader's export after a good build, None if it is missing.
        seconds: wall time of the cycle.
    """

    build_wanted: bool = True
    new_rows: dict[str, int] = field(default_factory=dict)
    rejects: dict[str, int] = field(default_factory=dict)
    source_failures: list[str] = field(default_factory=list)
    error: str | None = None
    build_status: int | None = None
    export_rows: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every source loaded and, when asked to build, the build passed and wrote the export."""
        built = self.build_status == 0 and self.export_rows is not None
        return not self.source_failures and self.error is None and (built or not self.build_wanted)

    def line(self) -> str:
        """The cycle's one summary line.

        Returns:
            e.g. ``refresh ok: iem live +120 rows; kalshi live +35 rows; dbt build ok;
            export 12 rows; 41.3 s``.
        """
        parts = [
            f"{label} +{rows:,} rows"
            + (f" ({self.rejects[label]:,} rejected)" if self.rejects.get(label) else "")
            for label, rows in self.new_rows.items()
        ]
        parts += self.source_failures
        if self.error is not None:
            parts.append(self.error)
        if self.build_status is not None:
            parts.append(
                "dbt build ok"
                if self.build_status == 0
                else f"dbt build failed (exit {self.build_status})"
            )
            parts.append(
                "export missing"
                if self.export_rows is None
                else f"export {self.export_rows:,} rows"
            )
        elif self.build_wanted:
            parts.append("no dbt build")
        parts.append(f"{self.seconds:.1f} s")
        return f"refresh {'ok' if self.ok else 'FAILED'}: {'; '.join(parts)}"


def export_rows(data_source: str = TRADED_DATA_SOURCE) -> int | None:
    """Rows of the parquet export of one data source, as the last build listed them.

    Returns:
        The row count, or None when the build listed no such file or it is not there.
    """
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        listed = listed_export(con, data_source)
    return listed[1] if listed and listed[0].is_file() else None


def run_cycle(
    stations: list[Station],
    lookback_days: int,
    wait_seconds: float,
    build: bool = True,
    dbt_args: tuple[str, ...] = ("--quiet",),
) -> CycleReport:
    """One refresh: live load, then ``dbt build`` and the export, under one exclusive lock.

    The build runs when at least one source loaded (what loaded is complete: each source's
    load is finished before the next starts); a source that failed is named in the report.

    Args:
        stations: the stations to refresh.
        lookback_days: climate days re-fetched before today (UTC).
        wait_seconds: how long to wait for a busy warehouse (a user's build or report).
        build: run ``dbt build`` after the load.
        dbt_args: arguments for ``dbt build``.

    Returns:
        The report; failures the user can act on are in it, never raised.

    Raises:
        Exception: a bug (no one-line reason); the loop logs its traceback and carries on.
    """
    began = time.perf_counter()
    report = CycleReport(build_wanted=build)
    try:
        with warehouse_lock(LockMode.exclusive, wait_seconds) as me:
            before = {name: table_row_counts(name) for name in (IEM_DATASET, KALSHI_DATASET)}
            with load_marker(me):
                outcome = load_live(LoadRequest(stations, lookback_days=lookback_days))
            report.source_failures.extend(outcome.failures)
            for summary in outcome.summaries:
                old = before.get(summary.dataset, {})
                report.new_rows[summary.source] = sum(
                    rows - old.get(name, 0) for name, rows in summary.table_rows.items()
                )
                report.rejects[summary.source] = summary.rejects_added
                for note in summary.notes:
                    log.warning("%s: %s", summary.source, note)
            if build and outcome.summaries:
                # the build holds the cycle's lock: no load or reader slips in between
                report.build_status = dbt_build(list(dbt_args))
                if report.build_status == 0:
                    report.export_rows = export_rows()
    except DbtMissingError as exc:
        report.error = f"build: {exc}"
    except Exception as exc:
        line = one_line_failure(exc)
        if line is None:
            raise
        report.error = line
    report.seconds = time.perf_counter() - began
    return report


@dataclass
class ScheduleTally:
    """Cycles run and failed so far."""

    cycles: int = 0
    failed: int = 0


def run_schedule(
    cycle: Callable[[], CycleReport], every: timedelta, iterations: int | None = None
) -> ScheduleTally:
    """Run ``cycle`` now, then every ``every`` (counted from the end of the previous cycle).

    Args:
        cycle: one refresh (``run_cycle`` with its arguments bound).
        every: the interval (whole seconds).
        iterations: stop after this many cycles (None: until the process is stopped).

    Returns:
        How many cycles ran and how many failed.
    """
    tally = ScheduleTally()
    scheduler = schedule.Scheduler()

    def job() -> type[schedule.CancelJob] | None:
        tally.cycles += 1
        try:
            report = cycle()
        except Exception:
            # a bug in one cycle must not end an unattended schedule: keep its traceback
            tally.failed += 1
            log.exception(
                "refresh FAILED with an unexpected error [cycle %d, %d failed so far]",
                tally.cycles,
                tally.failed,
            )
        else:
            tally.failed += 0 if report.ok else 1
            log.log(
                logging.INFO if report.ok else logging.ERROR,
                "%s [cycle %d, %d failed so far]",
                report.line(),
                tally.cycles,
                tally.failed,
            )
        done = iterations is not None and tally.cycles >= iterations
        return schedule.CancelJob if done else None

    scheduler.every(max(1, int(every.total_seconds()))).seconds.do(job)
    scheduler.run_all()  # the first cycle at once, not after a whole interval
    while scheduler.jobs:
        idle = scheduler.idle_seconds
        if idle is not None and idle > 0:
            time.sleep(idle)
        scheduler.run_pending()
    return tally
