"""The thresholds export is replaced atomically: a reader sees the old file or the new, whole."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT

MODEL = (
    REPO_ROOT
    / "dbt_project"
    / "models"
    / "marts"
    / "thresholds"
    / "rpt_station_thresholds_export.py"
)
OLD = b"old," * 50_000
NEW = b"new," * 80_000


def _model() -> ModuleType:
    """The dbt Python model's module, as dbt-duckdb imports it."""
    spec = importlib.util.spec_from_file_location("rpt_station_thresholds_export", MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _slow_writer(content: bytes, chunks: int = 40) -> Callable[[Path], None]:
    """Writes ``content`` in pieces with pauses, as a long COPY would."""
    size = len(content) // chunks + 1

    def write(path: Path) -> None:
        with path.open("wb") as handle:
            for start in range(0, len(content), size):
                handle.write(content[start : start + size])
                handle.flush()
                time.sleep(0.005)

    return write


def test_a_reader_polling_during_a_rewrite_never_sees_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "station_thresholds.json"
    target.write_bytes(OLD)
    seen: list[bytes] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            seen.append(target.read_bytes())

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        _model().replace_atomically(target, _slow_writer(NEW))
    finally:
        stop.set()
        reader.join()

    assert target.read_bytes() == NEW
    assert len(seen) > 20  # the reader polled all through the write
    assert {len(content) for content in seen} <= {len(OLD), len(NEW)}
    assert all(content in (OLD, NEW) for content in seen)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "station_thresholds.parquet"
    target.write_bytes(OLD)

    def broken(path: Path) -> None:
        path.write_bytes(NEW[:1000])
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _model().replace_atomically(target, broken)

    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
