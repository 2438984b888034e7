"""One writer at a time: an advisory file lock beside the warehouse, naming its holder.

Every command of ``python -m pipelines`` that opens the warehouse takes this lock first: loads
and ``build`` exclusively, ``report`` and ``summary`` shared. Shared mirrors DuckDB itself, where
many read-only connections may coexist but not with a writer, so two reports never block each
other while a report and a load (or build) never overlap.

The lock is ``flock(2)`` on ``<warehouse>.lock``: the kernel releases it when the process dies
(even after ``kill -9``), so a leftover file is harmless and never needs cleaning by hand. The
file holds a small JSON (pid, command, host, since) of the latest holder, for the message a
second process prints.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from domain.layout import warehouse_path

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
# How often a waiting process retries the lock.
_POLL_SECONDS = 0.2


class LockMode(StrEnum):
    """Exclusive for writers (loads, dbt builds), shared for readers (report, summary)."""

    exclusive = "exclusive"
    shared = "shared"


@dataclass(frozen=True)
class Holder:
    """Who took the lock: written into the lock file, read back by whoever waits for it."""

    pid: int
    command: str
    host: str
    since: str
    mode: str

    @classmethod
    def me(cls, mode: LockMode) -> Holder:
        """This process, now."""
        return cls(
            pid=os.getpid(),
            command=command_line(),
            host=socket.gethostname(),
            since=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            mode=mode.value,
        )

    def describe(self) -> str:
        """``pid 123 on host (`python -m pipelines run --source sample`) since 2026-...Z``."""
        return f"pid {self.pid} on {self.host} (`{self.command}`) since {self.since}"


class WarehouseBusyError(RuntimeError):
    """The lock was not free within the wait; the message is one line naming the holder."""


def lock_path(warehouse: Path | None = None) -> Path:
    """``<warehouse file>.lock`` (``warehouse/kalshi_weather.duckdb.lock`` by default)."""
    path = warehouse or warehouse_path()
    return path.with_name(path.name + LOCK_SUFFIX)


def command_line() -> str:
    """This process's command as a user would type it (``python -m pipelines run ...``)."""
    argv = list(sys.argv)
    if argv and Path(argv[0]).name == "__main__.py" and Path(argv[0]).parent.name == "pipelines":
        argv[0:1] = ["python", "-m", "pipelines"]
    elif argv:
        argv[0] = Path(argv[0]).name
    return " ".join(argv)


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file, or None if it is empty or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


@contextmanager
def warehouse_lock(
    mode: LockMode, wait_seconds: float = 0.0, warehouse: Path | None = None
) -> Iterator[Holder]:
    """Hold the warehouse lock for the ``with`` block.

    Args:
        mode: exclusive (writers) or shared (readers).
        wait_seconds: how long to wait for a busy lock before giving up (0 = do not wait).
        warehouse: the DuckDB file (default ``warehouse_path()``).

    Returns:
        A context manager yielding this process's ``Holder``. A reader that finds no warehouse
        folder locks nothing (nothing to read; it reports that) and creates no folder.

    Raises:
        WarehouseBusyError: another process held the lock for all of ``wait_seconds``.
    """
    path = lock_path(warehouse)
    if mode is LockMode.shared and not path.parent.is_dir():
        yield Holder.me(mode)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, mode, wait_seconds)
        me = Holder.me(mode)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me.__dict__).encode(), 0)
        try:
            yield me
        finally:
            if mode is LockMode.exclusive:
                os.ftruncate(fd, 0)  # nobody holds it now; readers leave theirs (others may hold)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, mode: LockMode, wait_seconds: float) -> None:
    flag = fcntl.LOCK_EX if mode is LockMode.exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + max(0.0, wait_seconds)
    announced = False
    while True:
        try:
            fcntl.flock(fd, flag | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = read_holder(path)
        if time.monotonic() >= deadline:
            raise WarehouseBusyError(_busy_message(path, holder, wait_seconds))
        if not announced:
            log.info(
                "waiting up to %.0f s for the warehouse lock, held by %s",
                wait_seconds,
                holder.describe() if holder else "another process",
            )
            announced = True
        time.sleep(_POLL_SECONDS)


def _busy_message(path: Path, holder: Holder | None, wait_seconds: float) -> str:
    warehouse = path.with_name(path.name.removesuffix(LOCK_SUFFIX))
    who = holder.describe() if holder else "another process (it has not said who yet)"
    waited = f"after waiting {wait_seconds:.0f} s" if wait_seconds > 0 else "now"
    return (
        f"warehouse {warehouse} is busy {waited}: {who}; wait for it to finish "
        "or pass --wait-seconds N to wait"
    )
