"""``dbt build`` on the warehouse, run by ``build`` and each refresh cycle holding the lock."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from domain.layout import REPO_ROOT, WAREHOUSE_ENV, warehouse_path
from pipelines.warehouse import clear_load_markers

log = logging.getLogger(__name__)


class DbtMissingError(RuntimeError):
    """No dbt next to this Python or on PATH; the message says what to do."""


def dbt_build(args: list[str]) -> int:
    """Run ``dbt build`` (this venv's dbt) on the warehouse; call it holding the lock.

    Clears the marker a killed load left (logged): what it had not finished stays out of the
    marts, and a plain ``dbt build`` would refuse to build while it is there.

    Args:
        args: more arguments for dbt (``--quiet``, ``--select ...``).

    Returns:
        dbt's exit status.

    Raises:
        DbtMissingError: dbt is not installed here.
        WarehouseInUseError: another program held the DuckDB file (clearing the markers).
    """
    beside = Path(sys.executable).parent / "dbt"
    dbt = str(beside) if beside.exists() else shutil.which("dbt")
    if dbt is None:
        raise DbtMissingError("no dbt next to this Python or on PATH; run `make install`")
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
