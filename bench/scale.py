"""The cost curve: the same figures at two sizes (70 and 700 station-years) and how they grow.

Two runs write two ``results.json`` (``python -m bench.run`` and ``python -m bench.run --scale``);
each run merges the other's figures, when it finds them, into its own ``scale`` section, so the
table shows both sizes whichever ran last.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCALE_STATION_YEARS = 700
MEMORY_LIMIT_MB = 24 * 1024  # the "within 24 GB" at 700 station-years
FIGURES = (
    "load_seconds",
    "build_seconds",
    "peak_rss_mb",
    "loader_peak_rss_mb",
    "observation_loader_peak_rss_mb",
    "build_peak_rss_mb",
    "observation_rows",
)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """The scale figures of one run (None where the run did not reach the step).

    ``load_seconds`` is the three loaders together, ``loader_peak_rss_mb`` the larger of the two
    loader processes' peaks, ``peak_rss_mb`` the larger of the loaders' and the build's.
    """
    loads = [results.get(k, {}) for k in ("ingest_observations", "ingest_cli", "ingest_kalshi")]
    load_seconds = [_num(step.get("seconds")) for step in loads]
    dbt = results.get("dbt_build", {})
    built = dbt.get("returncode") == 0
    loader_peaks = [p for p in (_num(step.get("peak_rss_mb")) for step in loads) if p is not None]
    loader_peak = max(loader_peaks) if loader_peaks else None
    build_peak = _num(dbt.get("peak_rss_mb")) if built else None
    peaks = [p for p in (loader_peak, build_peak) if p is not None]
    return {
        "station_years": results.get("station_years"),
        "started_at": results.get("started_at"),
        "load_seconds": sum(s for s in load_seconds if s is not None)
        if all(s is not None for s in load_seconds)
        else None,
        "build_seconds": _num(dbt.get("seconds")) if built else None,
        "peak_rss_mb": max(peaks) if peaks else None,
        "loader_peak_rss_mb": loader_peak,
        # the IEM loader's own process: its "bounded by a chunk" target is judged on this
        "observation_loader_peak_rss_mb": _num(
            results.get("ingest_observations", {}).get("peak_rss_mb")
        ),
        "build_peak_rss_mb": build_peak,
        "observation_rows": _num(results.get("ingest_observations", {}).get("rows")),
    }


def curve(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``scale`` section: each figure as a list by size, and its growth smallest -> largest.

    Args:
        runs: ``figures()`` of two or more runs of different sizes.

    Returns:
        ``{"station_years": [70, 700], "load_seconds": [...], ..., "growth": {figure: ratio}}``;
        ``growth`` also holds ``station_years`` (the size ratio: 10 = linear cost).
    """
    ordered = sorted(runs, key=lambda run: run["station_years"])
    section: dict[str, Any] = {
        "station_years": [run["station_years"] for run in ordered],
        "started_at": [run["started_at"] for run in ordered],
    }
    growth: dict[str, float | None] = {
        "station_years": ordered[-1]["station_years"] / ordered[0]["station_years"]
    }
    for name in FIGURES:
        values = [run.get(name) for run in ordered]
        section[name] = values
        first, last = values[0], values[-1]
        growth[name] = last / first if first and last is not None else None
    section["growth"] = growth
    return section


def merge(results: dict[str, Any], other_path: Path | None) -> dict[str, Any] | None:
    """This run's figures with another run's (``other_path``), when that is another size.

    Args:
        results: this run's results.
        other_path: the other run's ``results.json`` (missing or unreadable: no curve).

    Returns:
        The ``scale`` section, or None without a second size.
    """
    if other_path is None or not other_path.exists():
        return None
    try:
        other = json.loads(other_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("scale: cannot read %s (%s)", other_path, exc)
        return None
    mine = figures(results)
    theirs = figures(other)
    if (
        not isinstance(theirs["station_years"], int)
        or theirs["station_years"] == mine["station_years"]
    ):
        return None
    return curve([mine, theirs])
