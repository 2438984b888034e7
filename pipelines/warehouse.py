"""How loads reach the warehouse: dlt pipelines, the load-in-progress marker, lock conflicts.

Where the file lives: ``domain.layout``. The marker makes a load of several sources one
transaction for the marts: ``raw_meta.loads_in_progress`` holds a row while a load runs, and
dbt's ``on-run-start`` (macro ``load_guard``) refuses to build while one is there, even in the
moments between two sources when DuckDB's own file lock is free.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dlt
import duckdb
from dlt.common.pipeline import LoadInfo

from domain.layout import warehouse_path
from pipelines.lake import lake_destination, lake_path, lake_pipelines_dir

log = logging.getLogger(__name__)

T = TypeVar("T")

# dlt dataset (= DuckDB schema = dbt source schema) per source family.
IEM_DATASET = "raw_iem"
KALSHI_DATASET = "raw_kalshi"
# The marker table; dbt_project/macros/load_guard.sql reads the same names.
META_SCHEMA = "raw_meta"
MARKER_TABLE = "loads_in_progress"
# A marker write waits this long for a DuckDB file lock held by a program outside our entry
# points (a plain `dbt build` failing its load guard holds the file for a second or two).
_DUCKDB_LOCK_PATIENCE_SECONDS = 10.0
_DUCKDB_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>\S+) \(PID (?P<pid>\d+)\)")


def make_pipeline(name: str, dataset_name: str) -> dlt.Pipeline:
    """A dlt pipeline loading into the warehouse file, or into the Parquet lake when
    ``RAW_LAKE_PATH`` is set (``pipelines.lake``); the warehouse folder is created if missing.

    The pipeline's working folder sits beside the warehouse (keyed by its file name, or by the
    lake) so a throwaway warehouse gets throwaway dlt state too.

    Args:
        name: pipeline name, e.g. ``iem``.
        dataset_name: target dataset (schema), e.g. ``raw_iem``.

    Returns:
        The configured pipeline.
    """
    # Every loader yields Arrow tables, which skip dlt's row normaliser; ask it to stamp
    # _dlt_load_id anyway so staging can keep only rows of finished loads.
    dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    pipelines_dir = path.parent / ".dlt_pipelines" / path.stem
    # dlt refuses dots in a pipeline name (my.warehouse.duckdb); other names stay as they were
    stem = path.stem.replace(".", "_")
    lake = lake_path()
    if lake is not None:
        return dlt.pipeline(
            pipeline_name=f"{name}_{stem}",
            destination=lake_destination(lake),
            dataset_name=dataset_name,
            pipelines_dir=str(lake_pipelines_dir(lake, path)),
        )
    return dlt.pipeline(
        pipeline_name=f"{name}_{stem}",
        destination=dlt.destinations.duckdb(str(path)),
        dataset_name=dataset_name,
        pipelines_dir=str(pipelines_dir),
    )


def assert_load_ok(info: LoadInfo, what: str) -> None:
    """Raise ``LoadFailedError`` naming ``what`` if any load job failed."""
    if info.has_failed_jobs:
        failed = [
            job.job_file_info.job_id()
            for pkg in info.load_packages
            for job in pkg.jobs["failed_jobs"]
        ]
        raise LoadFailedError(f"{what}: failed load jobs {failed}")


class LoadFailedError(RuntimeError):
    """A whole source failed; the CLI prints this one line and exits non-zero."""


class WarehouseInUseError(RuntimeError):
    """DuckDB's own file lock is held by a program that did not take the warehouse lock."""


@dataclass(frozen=True)
class LoadMarker:
    """One row of ``raw_meta.loads_in_progress``: a load that started and has not finished."""

    pid: int
    host: str
    command: str
    started_at: str

    def describe(self) -> str:
        """``pid 123 on host (`command`) since <started_at>``."""
        return f"pid {self.pid} on {self.host} (`{self.command}`) since {self.started_at}"


@contextmanager
def load_in_progress(pid: int, host: str, command: str, started_at: str) -> Iterator[None]:
    """Mark a load as running in the warehouse for the ``with`` block.

    Call it while holding the exclusive warehouse lock: no other load can be running then, so
    any marker already there is a killed load's and is replaced (logged).

    Args:
        pid: the loading process.
        host: its host name.
        command: its command line.
        started_at: when it took the lock (ISO UTC).

    Returns:
        A context manager; the marker is removed on exit, whether the load succeeded or not.

    Raises:
        WarehouseInUseError: another program held the DuckDB file for the whole patience.
    """
    stale = clear_load_markers()
    for marker in stale:
        log.warning("replaced the marker of a load that did not finish: %s", marker.describe())
    _with_duckdb_patience(
        lambda con: con.execute(
            f"insert into {META_SCHEMA}.{MARKER_TABLE} values (?, ?, ?, ?)",
            [pid, host, command, started_at],
        )
    )
    try:
        yield
    finally:
        try:
            clear_load_markers()
        except WarehouseInUseError as exc:
            log.error(
                "could not remove this load's marker (%s); `python -m pipelines build` removes it",
                exc,
            )


def clear_load_markers() -> list[LoadMarker]:
    """Delete every load marker (call it holding the exclusive warehouse lock).

    Returns:
        The markers removed: loads killed before they finished. What such a load had not
        finished stays out of the marts (staging keeps only rows of finished dlt loads); the
        sources it had finished are complete and stay.

    Raises:
        WarehouseInUseError: another program held the DuckDB file for the whole patience.
    """

    def _clear(con: duckdb.DuckDBPyConnection) -> list[LoadMarker]:
        rows = con.execute(
            f"delete from {META_SCHEMA}.{MARKER_TABLE} returning pid, host, command, started_at"
        ).fetchall()
        return [LoadMarker(int(p), str(h), str(c), str(s)) for p, h, c, s in rows]

    if not warehouse_path().exists():
        return []  # a fresh warehouse: no load ever started here
    return _with_duckdb_patience(_clear)


def _with_duckdb_patience(work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run ``work`` on a write connection (marker table ensured), retrying a DuckDB lock."""
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + _DUCKDB_LOCK_PATIENCE_SECONDS
    while True:
        try:
            with duckdb.connect(str(path)) as con:
                con.execute(f"create schema if not exists {META_SCHEMA}")
                con.execute(
                    f"create table if not exists {META_SCHEMA}.{MARKER_TABLE} ("
                    "pid bigint, host varchar, command varchar, started_at varchar)"
                )
                return work(con)
        except duckdb.IOException as exc:
            holder = duckdb_lock_holder(exc)
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                raise WarehouseInUseError(holder) from exc
            time.sleep(0.5)


def duckdb_lock_holder(exc: BaseException) -> str | None:
    """If ``exc`` is (or quotes) DuckDB's file-lock conflict, one line naming the holder.

    The holder is a program that did not go through ``python -m pipelines`` (a plain
    ``dbt build``, a notebook, the DuckDB CLI): ours take the warehouse lock first.

    Args:
        exc: an exception, e.g. dlt's "check your credentials" error quoting DuckDB's.

    Returns:
        ``the warehouse <file> is open in pid 123 (`dbt build`) ...``, or None.
    """
    match = _DUCKDB_LOCK_HOLDER.search(str(exc))
    if match is None:
        return None
    pid = int(match["pid"])
    return (
        f"the warehouse {warehouse_path()} is open in pid {pid} (`{_process_command(pid)}`), "
        "which did not take the warehouse lock: wait for it to finish, then retry "
        "(and build with `python -m pipelines build`, not a plain `dbt build`)"
    )


def _process_command(pid: int) -> str:
    """A process's command line from /proc (Linux), program names without their folders."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "unknown command"
    parts = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    # the interpreter and the script as names (``python3.11 dbt build``), arguments as given
    return " ".join([Path(part).name for part in parts[:2]] + parts[2:]) or "unknown command"
