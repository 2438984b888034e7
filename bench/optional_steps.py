"""Benchmark steps whose measuring code lives in other modules: the hourly refresh
(``bench.refresh``) and the ``decide`` microbenchmark (``bench.decide``).

Each is called only when its module exists (it may be written after this one); a missing module
gives ``{"missing": "<module>"}`` and the table says so instead of failing the run.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RULES = ("design", "fair_value")


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but one of its imports does not: a real error
            raise
        return None


def refresh(warehouse: Path, out: Path) -> dict[str, Any]:
    """The hourly refresh (``bench.refresh.measure``): seconds, nodes, peak_rss_mb.

    Args:
        warehouse: the built bench warehouse.
        out: a folder for the refresh's own files.
    """
    module = _module("bench.refresh")
    if module is None:
        return {"missing": "bench.refresh"}
    out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = dict(module.measure(warehouse, out))
    log.info("refresh: %.1f s", result.get("seconds", float("nan")))
    return result


def engine(count: int) -> dict[str, Any]:
    """The ``decide`` microbenchmark (``bench.decide.measure``) per rule.

    Returns:
        ``{"decide": {rule: {"p50_us", "p99_us", "calls"}}, "decide_p99_us": {rule: p99}}``.
    """
    module = _module("bench.decide")
    if module is None:
        return {"missing": "bench.decide"}
    per_rule: dict[str, dict[str, Any]] = dict(module.measure(count=count))
    p99 = {rule: float(figures["p99_us"]) for rule, figures in per_rule.items()}
    log.info("decide p99: %s", ", ".join(f"{r} {v:.1f} µs" for r, v in p99.items()))
    return {"decide": per_rule, "decide_p99_us": p99}
