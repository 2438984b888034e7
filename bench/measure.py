"""Wall time and peak memory of a benchmark step run as a subprocess.

Two peak figures, both from the kernel, no extra package:

- ``peak_rss_mb``: the child's ``ru_maxrss`` from ``os.wait4`` (exact; the largest single process
  of its tree, which for ``dbt build`` on DuckDB is the build: one process, threads in it);
- ``tree_peak_rss_mb``: the largest sum of ``VmRSS`` over the child and its descendants, sampled
  from ``/proc`` every ``SAMPLE_SECONDS`` (catches a tree of processes; may miss a short spike).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Measured:
    """One finished subprocess."""

    returncode: int
    seconds: float
    peak_rss_mb: float
    tree_peak_rss_mb: float
    output_tail: str


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's ``children`` file; Linux)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(child) for child in text.split())
    except OSError:  # the process ended while we looked
        return found
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants now, in KiB."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss_kb(current)
        todo.extend(_children(current))
    return total


def run_measured(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], log_file: Path
) -> Measured:
    """Run ``command`` to completion; its output goes to ``log_file``.

    Args:
        command: the program and its arguments.
        cwd: working directory.
        env: the child's environment.
        log_file: stdout and stderr of the child (its tail is returned too).

    Returns:
        Exit code, wall seconds and both peak figures.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    peak_tree = 0
    done = threading.Event()
    with log_file.open("w", encoding="utf-8") as sink:
        began = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603 - our own tools, no shell
            list(command), cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.STDOUT
        )

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(SAMPLE_SECONDS):
                peak_tree = max(peak_tree, tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4, not proc.wait: it returns this child's own rusage (ru_maxrss, KiB on Linux)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
    return Measured(
        returncode=proc.returncode,
        seconds=seconds,
        peak_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_rss_mb=max(peak_tree, usage.ru_maxrss) / 1024,
        output_tail=tail,
    )
