"""Shared fixtures: throwaway warehouses, the real-data folder, dbt runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
DBT = Path(sys.executable).parent / "dbt"


@pytest.fixture
def realdata() -> Path:
    """``../shared/realdata``; the test is skipped when the folder is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent")
    return REALDATA


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throwaway warehouse file; WAREHOUSE_PATH points at it for the test."""
    path = tmp_path / "warehouse" / "kalshi_weather.duckdb"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    yield path


def run_dbt(
    args: list[str], warehouse_file: Path, work_dir: Path
) -> subprocess.CompletedProcess[str]:
    """Run dbt from the repo root against ``warehouse_file``, keeping target/logs in ``work_dir``."""
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse_file),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
