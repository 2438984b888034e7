"""``python -m bench.run [--station-years N] [--scale]``: every target of issue 13 in one table.

One run, one generated data set (``bench.generate``), one throwaway warehouse
(``<out>/bench.duckdb``, via ``WAREHOUSE_PATH``):

1. ingestion: the IEM observation CSVs through our loader (``bench.loaders``, in a process of
   its own: rows/s and peak memory), against DuckDB's own ``read_csv`` of the same files into a
   table (the limit; median of ``--repeats``). CLI reports, ladders and candles are loaded too.
2. ``dbt build`` (seeds, models, tests) in a subprocess: wall time, peak memory, per-node times
   (``bench.dbt_step``).
3. the pandas per-station-day loop computing ``fct_accuracy_by_window``
   (``bench.pandas_baseline``, the peers' approach), checked equal to the mart row by row.
4. the hourly refresh (``bench.refresh``) and the ``decide`` microbenchmark (``bench.decide``),
   when those modules exist (``bench.optional_steps``).
5. the cost curve: ``--scale`` runs 700 station-years (70 stations x 10 years) into
   ``<out>/scale``; each size merges the other's figures (``bench.scale``).

Prints the table (``bench.results_table``) and writes ``<out>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.logging import RichHandler

from bench import optional_steps, pandas_baseline, pandas_compare, scale
from bench.dbt_step import REPO_ROOT, dbt_build
from bench.generate import GenerateConfig, GeneratedFiles, generate
from bench.loaders import STEPS, read_csv_limit, timed
from bench.measure import run_measured
from bench.results_table import print_table
from bench.simulate import plan
from bench.stations import switch_registry

log = logging.getLogger("bench")

OUT = REPO_ROOT / "bench" / "out"
SCALE_FOLDER = "scale"


def fresh_warehouse(out: Path) -> Path:
    """Delete and return the bench warehouse path, and point ``WAREHOUSE_PATH`` at it."""
    warehouse = out / "bench.duckdb"
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(out / ".dlt_pipelines", ignore_errors=True)
    os.environ["WAREHOUSE_PATH"] = str(warehouse)
    return warehouse


def pandas_loop(warehouse: Path, max_station_days: int) -> dict[str, Any]:
    """Read the raw rows, run the pandas loop, compare with the mart.

    The loop is linear in station-days. Up to ``max_station_days`` it runs over every day and
    its aggregate is compared with ``fct_accuracy_by_window`` row by row; beyond that it runs
    over an evenly spaced sample of station-days, its time is projected to all days, and its
    per-day records are compared with ``int_gate_contract_checkpoints``.
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        inputs, read_seconds = timed(lambda: pandas_baseline.load_inputs(con))
        days = pandas_baseline.station_days(inputs)
        result: dict[str, Any] = {
            "read_seconds": read_seconds,
            "input_rows": inputs.rows,
            "station_days": len(days),
        }
        if len(days) <= max_station_days:
            baseline, seconds = timed(lambda: pandas_baseline.accuracy_by_window(inputs))
            result.update(compute_seconds=seconds, sampled_station_days=len(days), projected=False)
            mart = pandas_compare.read_mart(con)
            comparison = pandas_compare.compare(baseline, mart)
            result["comparison"] = asdict(comparison)
            result["equal"] = comparison.equal
            result["compared_with"] = "fct_accuracy_by_window (every row)"
        else:
            step = -(-len(days) // max_station_days)
            sample = set(days[::step])
            records, seconds = timed(lambda: pandas_baseline.day_records(inputs, sample))
            _, agg_seconds = timed(lambda: pandas_baseline.aggregate(records))
            loop_seconds = seconds * len(days) / len(sample) + agg_seconds
            result.update(
                compute_seconds=loop_seconds,
                sampled_seconds=seconds,
                sampled_station_days=len(sample),
                projected=True,
            )
            check = pandas_compare.compare_days(con, records)
            result["comparison"] = check
            result["equal"] = check["equal"]
            result["compared_with"] = "int_gate_contract_checkpoints (sampled days, every row)"
    return result


def run_loaders(files: GeneratedFiles, out: Path, chunk: int) -> dict[str, Any]:
    """Our loaders, one process per step (``bench.loaders``), each with its peak memory."""
    listing = out / "files.json"
    kinds = {k: [str(p) for p in v] for k, v in asdict(files).items() if k != "rows"}
    listing.write_text(json.dumps(kinds), encoding="utf-8")
    results: dict[str, Any] = {}
    for step in STEPS:
        result_file = out / f"loader_{step}.json"
        result_file.unlink(missing_ok=True)
        command = [sys.executable, "-m", "bench.loaders", "--step", step]
        command += ["--files", str(listing), "--result", str(result_file)]
        command += ["--chunk-station-years", str(chunk)]
        run = run_measured(command, REPO_ROOT, os.environ, out / f"loader_{step}.log")
        if run.returncode != 0:
            raise RuntimeError(f"loader step {step} failed:\n{run.output_tail}")
        figures: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
        # the step's process holds its figures: the observation loader alone, or CLI + Kalshi
        last = list(figures)[-1]
        figures[last].update(peak_rss_mb=run.peak_rss_mb, tree_peak_rss_mb=run.tree_peak_rss_mb)
        results.update(figures)
        log.info("loader step %s: %.1f s, peak %.0f MB", step, run.seconds, run.peak_rss_mb)
    return results


def ingest(config: GenerateConfig, out: Path, repeats: int, chunk: int) -> dict[str, Any]:
    """Generate the data, then time read_csv and our loaders into a fresh warehouse."""
    data = out / "data"
    shutil.rmtree(data, ignore_errors=True)
    files, gen_seconds = timed(lambda: generate(config, data))
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "station_years": config.station_years,
        "stations": config.station_count,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "config": asdict(config),
        "generate": {
            "seconds": gen_seconds,
            "rows": files.rows,
            "rows_total": sum(files.rows.values()),
        },
    }
    log.info("generated %s rows in %.1f s", f"{sum(files.rows.values()):,}", gen_seconds)
    fresh_warehouse(out)
    results["read_csv"] = read_csv_limit(files.asos, out / "read_csv_scratch.duckdb", repeats)
    log.info("read_csv: %.0f rows/s", results["read_csv"]["rows_per_s"])
    results.update(run_loaders(files, out, chunk))
    return results


def _ratios(results: dict[str, Any]) -> dict[str, float]:
    """The pandas loop (the peers' approach) against our build."""
    ratios = {}
    dbt = results.get("dbt_build", {})
    pandas = results.get("pandas", {})
    if dbt.get("returncode") == 0 and pandas.get("compute_seconds"):
        ratios["pandas loop / dbt build (all)"] = pandas["compute_seconds"] / dbt["seconds"]
        if dbt.get("accuracy_lineage_seconds"):
            ratios["pandas loop / accuracy lineage"] = (
                pandas["compute_seconds"] / dbt["accuracy_lineage_seconds"]
            )
    return ratios


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Benchmark every target of issue 13.")
    parser.add_argument("--station-years", type=int, default=None, help="70; 700 with --scale")
    parser.add_argument("--stations", type=int, default=None, help="see GenerateConfig")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the 700 station-year run into <out>/scale: no pandas, refresh or decide",
    )
    parser.add_argument(
        "--scale-with",
        type=Path,
        default=None,
        help="results.json of the other size (default: <out>/scale/results.json, or for "
        "--scale <out>/results.json)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="repeats of read_csv")
    parser.add_argument("--candle-days", type=int, default=GenerateConfig.candle_days)
    parser.add_argument(
        "--candle-step-minutes", type=int, default=GenerateConfig.candle_step_minutes
    )
    parser.add_argument(
        "--chunk-station-years", type=int, default=7, help="station-years per dlt run"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--skip-dbt", action="store_true")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument("--skip-decide", action="store_true")
    parser.add_argument("--decide-count", type=int, default=20000, help="decide() calls per rule")
    parser.add_argument(
        "--pandas-max-station-days",
        type=int,
        default=200,
        help="run the pandas loop over every day up to this many, else over a sample",
    )
    parser.add_argument("--days-per-year", type=int, default=None, help="toy runs only")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data and warehouse of the last run; redo only the steps after loading",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark."""
    args = _parser().parse_args(argv)
    console = Console(width=max(Console().width, 150))
    logging.basicConfig(
        level=logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
        force=True,
    )
    logging.getLogger("dlt").setLevel(logging.WARNING)
    base: Path = args.out.resolve()
    out = base / SCALE_FOLDER if args.scale else base
    out.mkdir(parents=True, exist_ok=True)
    station_years = args.station_years or (
        scale.SCALE_STATION_YEARS if args.scale else GenerateConfig.station_years
    )
    other = args.scale_with or (
        base / "results.json" if args.scale else base / SCALE_FOLDER / "results.json"
    )
    config = GenerateConfig(
        station_years=station_years,
        stations=args.stations,
        candle_days=args.candle_days,
        candle_step_minutes=args.candle_step_minutes,
        days_per_year=args.days_per_year,
    )
    # before any loader or dbt runs: synthetic stations must be in the registry both read
    registry = switch_registry([p.station for p in plan(config)], out)
    if args.reuse:
        results = json.loads((out / "results.json").read_text())
        os.environ["WAREHOUSE_PATH"] = str(out / "bench.duckdb")
        results["reused_from"] = results.get("started_at")
        results["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    else:
        results = ingest(config, out, 1 if args.scale else args.repeats, args.chunk_station_years)
    results["registry"] = str(registry) if registry else "domain/data/stations.csv"
    warehouse = out / "bench.duckdb"
    if not args.skip_dbt:
        results["dbt_build"] = dbt_build(out)
        dbt = results["dbt_build"]
        log.info(
            "dbt build: %.1f s (rc %d), peak %.0f MB",
            dbt["seconds"],
            dbt["returncode"],
            dbt["peak_rss_mb"],
        )
    if not (args.skip_pandas or args.scale):
        results["pandas"] = pandas_loop(warehouse, args.pandas_max_station_days)
        log.info("pandas loop: %.1f s", results["pandas"]["compute_seconds"])
    results["ratios"] = _ratios(results)
    if not (args.skip_decide or args.scale):
        results["engine"] = optional_steps.engine(args.decide_count)
    if not (args.skip_refresh or args.skip_dbt or args.scale):
        # last: the refresh may append a day to the warehouse the pandas loop compared with
        results["refresh"] = optional_steps.refresh(warehouse, out / "refresh")
    curve = scale.merge(results, other)
    if curve is not None:
        results["scale"] = curve
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(console, results)
    console.print(f"results: {out / 'results.json'}")


if __name__ == "__main__":  # pragma: no cover
    main()
