"""One writer at a time: the warehouse lock, the load marker and dbt's load guard."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.failures import one_line_failure
from pipelines.lock import LockMode, lock_path, read_holder, warehouse_lock
from pipelines.warehouse import LoadFailedError, load_in_progress
from tests.conftest import REPO_ROOT, run_dbt

# A small simulated load: one station, three days (about ten seconds).
SMALL_SAMPLE = [
    "run",
    "--source",
    "sample",
    "--stations",
    "KMDW",
    "--start",
    "2025-03-01",
    "--end",
    "2025-03-03",
]
GUARD_MESSAGE = "a load is running since"


def _pipelines(args: list[str], warehouse: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "COLUMNS": "250"}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: object, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _markers(warehouse: Path) -> list[tuple[int, str]] | None:
    """The load markers, or None while a writer holds the file."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("select pid, command from raw_meta.loads_in_progress").fetchall()
    except duckdb.Error:
        return None
    return [(int(pid), str(command)) for pid, command in rows]


@contextmanager
def _running(args: list[str], warehouse: Path) -> Iterator[subprocess.Popen[str]]:
    """A ``python -m pipelines`` subprocess, killed if the test leaves it running."""
    process = _pipelines(args, warehouse)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_a_second_load_exits_with_one_line_naming_the_first(warehouse: Path) -> None:
    with _running(SMALL_SAMPLE, warehouse) as first:
        _wait_for(
            lambda: (h := read_holder(lock_path(warehouse))) is not None and h.pid == first.pid,
            "the first load to take the lock",
        )
        second = _pipelines(SMALL_SAMPLE, warehouse)
        out, err = second.communicate(timeout=60)
        first_out, first_err = first.communicate(timeout=120)

    assert second.returncode == 1, out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert f"pid {first.pid}" in lines[0]
    assert "python -m pipelines run --source sample" in lines[0]
    assert "is busy" in lines[0] and "since 20" in lines[0]
    assert "Traceback" not in out + err
    assert first.returncode == 0, first_out + first_err
    assert _markers(warehouse) == []


def test_plain_dbt_refuses_to_build_while_a_load_marker_is_present(
    warehouse: Path, tmp_path: Path
) -> None:
    fresh = run_dbt(["seed", "--select", "stations"], warehouse, tmp_path)
    assert fresh.returncode == 0, fresh.stdout  # no marker table yet: nothing to guard

    with load_in_progress(4242, "somehost", "python -m pipelines run --source live", "2026-12-01"):
        guarded = run_dbt(["seed", "--select", "stations"], warehouse, tmp_path)

    assert guarded.returncode != 0
    assert GUARD_MESSAGE in guarded.stdout
    assert "pid 4242 on somehost" in guarded.stdout
    assert "python -m pipelines build" in guarded.stdout


def test_kill_9_of_a_load_leaves_nothing_the_next_command_cannot_handle(
    warehouse: Path, tmp_path: Path
) -> None:
    with _running(SMALL_SAMPLE, warehouse) as load:
        _wait_for(
            lambda: (
                (load.pid, " ".join(["python", "-m", "pipelines", *SMALL_SAMPLE]))
                in (_markers(warehouse) or [])
            ),
            "the load's marker",
        )
        os.kill(load.pid, signal.SIGKILL)
        load.wait(timeout=30)
    stale = read_holder(lock_path(warehouse))
    assert stale is not None and stale.pid == load.pid  # the file stays; the kernel freed flock

    with _running(
        [
            "build",
            "--select",
            "stations",
            "--indirect-selection",
            "cautious",  # the seed's own tests, not relationships into unbuilt models
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        warehouse,
    ) as build:
        out, err = build.communicate(timeout=300)

    assert build.returncode == 0, out + err
    assert "cleared the marker of a load that did not finish" in out + err
    assert f"pid {load.pid}" in out + err
    assert _markers(warehouse) == []
    assert read_holder(lock_path(warehouse)) is None  # released by the build


@pytest.mark.parametrize("command", [["report"], ["summary"], ["build"], SMALL_SAMPLE])
def test_commands_during_a_held_lock_say_who_holds_it(warehouse: Path, command: list[str]) -> None:
    with warehouse_lock(LockMode.exclusive) as holder:
        result = CliRunner().invoke(app, command)

    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert f"pid {holder.pid} on {socket.gethostname()}" in lines[0]
    assert "--wait-seconds" in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_readers_share_the_lock(warehouse: Path) -> None:
    with warehouse_lock(LockMode.shared) as first, warehouse_lock(LockMode.shared) as second:
        assert json.loads(lock_path(warehouse).read_text())["pid"] == second.pid == first.pid


def test_a_bounded_wait_gives_up_after_the_bound(warehouse: Path) -> None:
    with warehouse_lock(LockMode.shared):
        began = time.monotonic()
        result = CliRunner().invoke(app, ["build", "--wait-seconds", "1"])
        waited = time.monotonic() - began

    assert result.exit_code == 1, result.output
    assert "after waiting 1 s" in result.output
    assert 1.0 <= waited < 5.0


def test_a_program_holding_duckdb_outside_our_commands_is_named(warehouse: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = CliRunner().invoke(app, SMALL_SAMPLE)
    finally:
        holder.kill()
        holder.wait()

    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert f"is open in pid {holder.pid}" in lines[0]
    assert "duckdb.connect" in lines[0]


def test_dlts_credentials_message_becomes_the_holder_line() -> None:
    dlt_text = (
        "iem sample: dlt load into raw_iem failed: Pipeline execution failed at `step=load`: "
        "Connection with DuckDbSqlClient to dataset name raw_iem failed. Please check if you "
        "configured the credentials at all and provided the right credentials values. You can "
        "be also denied access or your internet connection may be down. The actual reason "
        'given is: IO Error: Could not set lock on file "/x/wh.duckdb": Conflicting lock is '
        "held in /usr/bin/python3.11 (PID 4242). See also https://duckdb.org/docs"
    )

    line = one_line_failure(LoadFailedError(dlt_text))

    assert line is not None
    assert "is open in pid 4242" in line
    assert "credentials" not in line


def test_the_cron_line_builds_through_the_lock() -> None:
    result = CliRunner().invoke(app, ["schedule", "--print-cron", "--stations", "KMDW"])

    assert result.exit_code == 0, result.output
    # load + build + export in one cycle under one lock, never a bare dbt build
    assert "python -m pipelines schedule --once" in result.output
    assert "bin/dbt build" not in result.output
