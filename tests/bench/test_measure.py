"""Peak memory and wall time of a subprocess (bench.measure), on small real children."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.measure import run_measured, tree_rss_kb

# a child that touches every page of {mb} MB, then holds it for {sleep} s
HOLD = (
    "import time; block = bytearray({mb} * 1024 * 1024); "
    "block[::4096] = b'x' * len(block[::4096]); time.sleep({sleep})"
)


def test_peak_is_the_childs_own_and_the_output_is_kept(tmp_path: Path) -> None:
    code = HOLD.format(mb=120, sleep=0.5) + "; print('done'); raise SystemExit(3)"

    run = run_measured([sys.executable, "-c", code], tmp_path, os.environ, tmp_path / "c.log")

    assert run.returncode == 3
    assert 120 <= run.peak_rss_mb < 400
    assert run.tree_peak_rss_mb >= run.peak_rss_mb
    assert run.seconds >= 0.5
    assert "done" in run.output_tail


def test_the_tree_figure_sums_a_child_and_its_grandchild(tmp_path: Path) -> None:
    # Both hold 100 MB at once for a second whatever the machine's load: the grandchild says
    # when it holds its block (ready) and keeps it until the child lets it go (release).
    ready, release = tmp_path / "ready", tmp_path / "release"
    grandchild = (
        "import pathlib, time; block = bytearray(100 * 1024 * 1024); "
        "block[::4096] = b'x' * len(block[::4096]); "
        f"pathlib.Path({str(ready)!r}).touch()\n"
        f"while not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)"
    )
    code = (
        "import pathlib, subprocess, sys, time; "
        f"p = subprocess.Popen([sys.executable, '-c', {grandchild!r}]); "
        + HOLD.format(mb=100, sleep=0)
        + f"\nwhile not pathlib.Path({str(ready)!r}).exists(): time.sleep(0.05)\n"
        + f"time.sleep(1.0); pathlib.Path({str(release)!r}).touch(); p.wait()"
    )

    run = run_measured([sys.executable, "-c", code], tmp_path, os.environ, tmp_path / "t.log")

    assert run.returncode == 0, run.output_tail
    assert run.peak_rss_mb >= 100  # at least the child's own block
    assert run.tree_peak_rss_mb >= 200  # both held at once


def test_tree_rss_of_this_process_is_positive_and_of_a_gone_one_zero() -> None:
    assert tree_rss_kb(os.getpid()) > 1000
    assert tree_rss_kb(2**22 + 12345) == 0
