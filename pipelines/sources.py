"""The sources ``python -m pipelines run --source`` can load, and how a load holds the warehouse.

A source is one entry of ``SOURCES``: a ``SourceKind`` member and a ``Source`` saying which
options it takes and the function that loads it. Adding one is those two lines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from domain.stations import Station
from pipelines.failures import one_line_failure
from pipelines.lake import lake_path
from pipelines.loading import LoadSummary
from pipelines.lock import Holder, LockMode, warehouse_lock
from pipelines.warehouse import LoadFailedError, load_in_progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadRequest:
    """What ``run`` was asked to load (the options a source does not take are None).

    Attributes:
        stations: the stations chosen (every registry station by default).
        start: first climate date, if given.
        end: last climate date, if given.
        path: the folder or file to import, if given.
        lookback_days: climate days before the end when no start is given (live).
        max_records: Visual Crossing records the load may spend (None: the env var or default).
    """

    stations: list[Station]
    start: date | None = None
    end: date | None = None
    path: Path | None = None
    lookback_days: int = 7
    max_records: int | None = None


@dataclass
class LoadOutcome:
    """What a load did: the summaries of the parts that loaded, the lines of those that failed."""

    summaries: list[LoadSummary] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


Loader = Callable[[LoadRequest], LoadOutcome]


@dataclass(frozen=True)
class Source:
    """One ``--source``: its loader and the options it takes.

    Attributes:
        load: loads the request; raises (a ``one_line_failure`` kind) when it fails as a whole.
        takes_path: needs ``--path`` (and refuses it otherwise).
        takes_window: takes ``--stations/--start/--end`` (files carry their own).
    """

    load: Loader
    takes_path: bool = False
    takes_window: bool = True


def load_files(request: LoadRequest) -> LoadOutcome:
    """Import every IEM or Kalshi file under ``request.path``; other files are skipped (logged).

    Raises:
        LoadFailedError: the path is missing or holds no file a loader knows.
    """
    from pipelines.iem import runner as iem_runner
    from pipelines.kalshi import runner as kalshi_runner

    path = request.path
    if path is None or not path.exists():
        raise LoadFailedError(f"--path {path} does not exist")
    files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
    iem_files = [p for p in files if iem_runner.claims(p)]
    kalshi_files = [p for p in files if p not in iem_files and kalshi_runner.claims(p)]
    skipped = [p for p in files if p not in iem_files and p not in kalshi_files]
    for p in skipped:
        log.info("skipped %s: not a format this loader knows", p)
    if not iem_files and not kalshi_files:
        raise LoadFailedError(f"no loadable IEM or Kalshi files under {path}")
    outcome = LoadOutcome()
    if iem_files:
        outcome.summaries.append(iem_runner.run_files(iem_files))
    if kalshi_files:
        outcome.summaries.append(kalshi_runner.run_files(kalshi_files))
    return outcome


def load_sample(request: LoadRequest) -> LoadOutcome:
    """The simulated sample for the request's stations and dates (its defaults otherwise)."""
    from pipelines.sample.runner import run_sample

    return LoadOutcome(run_sample(request.stations, request.start, request.end))


def live_window(request: LoadRequest) -> tuple[date, date]:
    """The climate dates of a live load: ``--start..--end``, the end defaulting to today (UTC)
    and the start to ``lookback_days`` before the end."""
    end = request.end or datetime.now(UTC).date()
    return request.start or end - timedelta(days=request.lookback_days), end


def load_live(request: LoadRequest) -> LoadOutcome:
    """Load IEM, then Kalshi; a source that fails says so in one line and the other still runs.

    Returns:
        The summaries of the sources that loaded, and a line per source that failed.

    Raises:
        Exception: a source failed in a way that is a bug (no one-line reason): the traceback
            is kept.
    """
    from adapters.circuit import CircuitTransport
    from adapters.iem.client import IemClient
    from pipelines.iem import runner as iem_runner
    from pipelines.kalshi import runner as kalshi_runner

    def iem(stations: list[Station], start: date, end: date) -> LoadSummary:
        # the circuit stops the source after a few connection failures in a row
        with IemClient(transport=CircuitTransport()) as client:
            return iem_runner.run_live(stations, start, end, client=client)

    start, end = live_window(request)
    outcome = LoadOutcome()
    for label, load in (("iem live", iem), ("kalshi live", kalshi_runner.run_live)):
        try:
            outcome.summaries.append(load(request.stations, start, end))
        except Exception as exc:
            line = one_line_failure(exc)
            if line is None:
                raise  # a bug, not a condition the user can act on: keep the traceback
            log.error("%s stopped: %s", label, line)
            outcome.failures.append(f"{label}: {line}")
    return outcome


def load_trader(request: LoadRequest) -> LoadOutcome:
    """Load the trader journal at ``request.path`` into ``raw_trader`` (from a read-only copy).

    Raises:
        LoadFailedError: no ``--path``.
    """
    from pipelines.trader.runner import load_journal

    if request.path is None:
        raise LoadFailedError("--source trader needs --path JOURNAL (the trader's journal.sqlite)")
    return LoadOutcome([load_journal(request.path)])


def load_visual_crossing(request: LoadRequest) -> LoadOutcome:
    """Visual Crossing observations and forecasts over HTTP for the live window; the record
    budget is ``--max-records``, else ``VISUAL_CROSSING_MAX_RECORDS`` (default 1,000)."""
    from adapters.visual_crossing.client import VisualCrossingClient
    from pipelines.visual_crossing.runner import run_live

    start, end = live_window(request)
    client = VisualCrossingClient(max_records=request.max_records)
    return LoadOutcome([run_live(request.stations, start, end, client=client)])


class SourceKind(StrEnum):
    """Where the data comes from."""

    live = "live"
    sample = "sample"
    files = "files"
    trader = "trader"
    visual_crossing = "visual_crossing"


SOURCES: dict[SourceKind, Source] = {
    SourceKind.live: Source(load_live),
    SourceKind.sample: Source(load_sample),
    SourceKind.files: Source(load_files, takes_path=True, takes_window=False),
    SourceKind.trader: Source(load_trader, takes_path=True, takes_window=False),
    SourceKind.visual_crossing: Source(load_visual_crossing),
}


def load_marker(holder: Holder) -> AbstractContextManager[None]:
    """The load-in-progress marker for the lock holder: a plain `dbt build` refuses meanwhile.

    None into a Parquet lake: the marker lives in the warehouse file, which such a load never
    opens (a lake's readers see each source's finished loads only; docs/scale.md).
    """
    if lake_path() is not None:
        return nullcontext()
    return load_in_progress(holder.pid, holder.host, holder.command, holder.since)


@contextmanager
def loading(wait_seconds: float) -> Iterator[None]:
    """Hold the exclusive warehouse lock and the load marker for one load command."""
    with warehouse_lock(LockMode.exclusive, wait_seconds) as me, load_marker(me):
        yield
