"""The ``dbt build`` step of the benchmark: wall time, peak memory and per-node times."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from bench.measure import run_measured

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"
ACCURACY_MART = "model.kalshi_weather.fct_accuracy_by_window"


def _lineage_seconds(times: dict[str, float], manifest: Path) -> float | None:
    """Sum of the model and seed times from the seeds up to ``fct_accuracy_by_window``."""
    if not manifest.exists() or ACCURACY_MART not in times:
        return None
    parents = json.loads(manifest.read_text())["parent_map"]
    lineage: set[str] = set()
    todo = [ACCURACY_MART]
    while todo:
        node = todo.pop()
        if node in lineage:
            continue
        lineage.add(node)
        todo.extend(parents.get(node, []))
    return sum(times.get(n, 0.0) for n in lineage if n.startswith(("model.", "seed.")))


def dbt_build(
    out: Path,
    args: tuple[str, ...] = ("--quiet",),
    warehouse: Path | None = None,
    log_name: str = "dbt_build.log",
) -> dict[str, Any]:
    """``dbt build`` (seeds, models, tests) on the bench warehouse (``WAREHOUSE_PATH``).

    Args:
        out: the run's folder (dbt's ``target/`` and ``logs/`` go there).
        args: more ``dbt build`` arguments.
        warehouse: another DuckDB file than ``WAREHOUSE_PATH`` (the refresh's copy).
        log_name: the file under ``out`` that keeps dbt's output.

    Returns:
        ``seconds`` (wall), ``returncode``, ``peak_rss_mb`` (the dbt process), ``tree_peak_rss_mb``
        (dbt and any child, sampled), and from ``run_results.json``: model and test seconds, the
        slowest nodes, failed nodes, ``nodes`` and the accuracy lineage seconds.
    """
    target = out / "target"
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if warehouse is not None:
        env["WAREHOUSE_PATH"] = str(warehouse)
    command = [
        str(DBT),
        "build",
        *args,
        "--target-path",
        str(target),
        "--log-path",
        str(out / "logs"),
    ]
    run = run_measured(command, REPO_ROOT, env, out / log_name)
    result: dict[str, Any] = {
        "seconds": run.seconds,
        "returncode": run.returncode,
        "peak_rss_mb": run.peak_rss_mb,
        "tree_peak_rss_mb": run.tree_peak_rss_mb,
    }
    if run.returncode != 0:
        result["output_tail"] = run.output_tail
    run_results = target / "run_results.json"
    if run_results.exists():
        nodes = json.loads(run_results.read_text())["results"]
        times = {n["unique_id"]: float(n["execution_time"]) for n in nodes}
        statuses = {n["unique_id"]: n["status"] for n in nodes}
        result["nodes"] = len(nodes)
        result["model_seconds"] = sum(t for k, t in times.items() if k.startswith("model."))
        result["test_seconds"] = sum(
            t for k, t in times.items() if k.startswith(("test.", "unit_test."))
        )
        result["slowest"] = sorted(
            ((k, round(t, 2)) for k, t in times.items()), key=lambda kv: -kv[1]
        )[:8]
        result["failed"] = [k for k, s in statuses.items() if s in ("error", "fail")]
        lineage = _lineage_seconds(times, target / "manifest.json")
        if lineage is not None:
            result["accuracy_lineage_seconds"] = lineage
    return result
