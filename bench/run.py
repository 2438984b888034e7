"""``python -m bench.run [--station-years N]``: time ingestion, ``dbt build`` and the pandas loop.

One run, one generated data set (``bench.generate``), one throwaway warehouse
(``bench/out/bench.duckdb``, via ``WAREHOUSE_PATH``):

1. ingestion: the IEM observation CSVs through our loader (``pipelines.iem.runner``: parse every
   row and METAR, dlt merge into ``raw_iem.asos_observations``), in rows/s, against DuckDB's own
   ``read_csv`` of the same files into a table (the upper limit; median of ``--repeats``). CLI
   reports, ladders and candles are loaded too (timed, reported, not compared).
2. ``dbt build`` (seeds, models, tests) in a subprocess, wall time, with per-model times from
   ``run_results.json``.
3. the pandas per-station-day loop computing ``fct_accuracy_by_window``
   (``bench.pandas_baseline``), checked equal to the mart row by row.

Prints a table and writes ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from rich.console import Console
from rich.logging import RichHandler

from bench import pandas_baseline, pandas_compare
from bench.generate import GenerateConfig, generate
from bench.results_table import print_table

log = logging.getLogger("bench")

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT = REPO_ROOT / "bench" / "out"
DBT = Path(sys.executable).parent / "dbt"
ACCURACY_MART = "model.kalshi_weather.fct_accuracy_by_window"

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run ``fn`` once; return its result and the wall seconds."""
    began = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - began


def _hint(path: Path) -> str:
    """The IEM report type of a generated asos file (``..._rt1.csv`` -> ``1``)."""
    return path.stem.rsplit("_rt", 1)[1]


def _station_year(path: Path) -> str:
    return "_".join(path.stem.split("_")[:2])


def fresh_warehouse(out: Path) -> Path:
    """Delete and return the bench warehouse path, and point ``WAREHOUSE_PATH`` at it."""
    warehouse = out / "bench.duckdb"
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(out / ".dlt_pipelines", ignore_errors=True)
    os.environ["WAREHOUSE_PATH"] = str(warehouse)
    return warehouse


def read_csv_limit(files: list[Path], scratch: Path, repeats: int) -> dict[str, Any]:
    """DuckDB ``read_csv`` of the observation files into a table: median seconds and rows/s."""
    seconds = []
    rows = 0
    for _ in range(repeats):
        scratch.unlink(missing_ok=True)
        with duckdb.connect(str(scratch)) as con:
            _, took = timed(
                partial(
                    con.execute,
                    "create table observations as select * from read_csv(?, header = true)",
                    [[str(f) for f in files]],
                )
            )
            rows = int(con.execute("select count(*) from observations").fetchall()[0][0])
        seconds.append(took)
    scratch.unlink(missing_ok=True)
    median = statistics.median(seconds)
    return {"rows": rows, "seconds": median, "all_seconds": seconds, "rows_per_s": rows / median}


def load_observations(files: list[Path], chunk_station_years: int) -> dict[str, Any]:
    """Our IEM loader over the observation CSVs, a few station-years per dlt run."""
    from pipelines.documents import RawDocument
    from pipelines.iem import runner as iem_runner

    by_station_year: dict[str, list[Path]] = {}
    for path in files:
        by_station_year.setdefault(_station_year(path), []).append(path)
    groups = list(by_station_year.values())
    chunks = [
        [p for group in groups[i : i + chunk_station_years] for p in group]
        for i in range(0, len(groups), chunk_station_years)
    ]
    total = 0.0
    for index, chunk in enumerate(chunks, start=1):

        def docs(chunk: list[Path] = chunk) -> Iterator[RawDocument]:
            for path in chunk:
                text = path.read_text(encoding="utf-8")
                yield RawDocument(text, str(path), "simulated", "sample", hint=_hint(path))

        _, took = timed(partial(iem_runner.load_documents, docs(), [], [], "bench iem"))
        total += took
        log.info("loader chunk %d/%d: %.1f s", index, len(chunks), took)
    with duckdb.connect(os.environ["WAREHOUSE_PATH"], read_only=True) as con:
        rows = int(con.execute("select count(*) from raw_iem.asos_observations").fetchall()[0][0])
        rejects = int(con.execute("select count(*) from raw_iem.rejects").fetchall()[0][0])
    return {
        "rows": rows,
        "rejects": rejects,
        "seconds": total,
        "rows_per_s": rows / total if total else 0.0,
        "dlt_runs": len(chunks),
    }


def load_cli(files: list[Path]) -> dict[str, Any]:
    """The CLI JSON through the IEM loader (one dlt run)."""
    from pipelines.documents import RawDocument
    from pipelines.iem import runner as iem_runner

    docs = [
        RawDocument(p.read_text(encoding="utf-8"), str(p), "simulated", "sample") for p in files
    ]
    summary, took = timed(lambda: iem_runner.load_documents([], docs, [], "bench cli"))
    rows = summary.table_rows.get("cli_reports", 0)
    return {"rows": rows, "seconds": took, "rows_per_s": rows / took if took else 0.0}


def load_kalshi(markets: list[Path], candles: list[Path]) -> dict[str, Any]:
    """Ladders and candles through the Kalshi loader (streamed, one dlt run)."""
    from pipelines.kalshi.payloads import CandlePayload, KalshiPayloads
    from pipelines.kalshi.runner import load_payloads

    def market_objects() -> Iterator[tuple[str, dict[str, Any], str]]:
        for path in markets:
            for page in json.loads(path.read_text(encoding="utf-8")):
                for market in page["markets"]:
                    yield page["series_ticker"], market, "historical"

    def candle_objects() -> Iterator[CandlePayload]:
        for path in candles:
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    body = json.loads(line)
                    for candle in body["candlesticks"]:
                        yield CandlePayload(
                            body["series_ticker"],
                            body["ticker"],
                            int(body["period_interval"]),
                            candle,
                            "live",
                        )

    payloads = KalshiPayloads(
        data_source="simulated",
        ingest_channel="sample",
        location=str(markets[0].parent) if markets else "bench",
        markets=market_objects(),
        candles=candle_objects(),
    )
    summary, took = timed(lambda: load_payloads(payloads, "bench kalshi"))
    rows = summary.table_rows.get("markets", 0) + summary.table_rows.get("candlesticks", 0)
    return {
        "markets": summary.table_rows.get("markets", 0),
        "candles": summary.table_rows.get("candlesticks", 0),
        "seconds": took,
        "rows_per_s": rows / took if took else 0.0,
    }


def dbt_build(out: Path) -> dict[str, Any]:
    """``dbt build`` on the bench warehouse; wall time and per-node times."""
    target = out / "target"
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(DBT),
        "build",
        "--target-path",
        str(target),
        "--log-path",
        str(out / "logs"),
        "--quiet",
    ]
    proc, took = timed(
        lambda: subprocess.run(
            command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
        )
    )
    result: dict[str, Any] = {"seconds": took, "returncode": proc.returncode}
    if proc.returncode != 0:
        result["output_tail"] = (proc.stdout + proc.stderr)[-3000:]
    run_results = target / "run_results.json"
    manifest = target / "manifest.json"
    if run_results.exists():
        nodes = json.loads(run_results.read_text())["results"]
        times = {n["unique_id"]: float(n["execution_time"]) for n in nodes}
        statuses = {n["unique_id"]: n["status"] for n in nodes}
        result["model_seconds"] = sum(t for k, t in times.items() if k.startswith("model."))
        result["test_seconds"] = sum(
            t for k, t in times.items() if k.startswith(("test.", "unit_test."))
        )
        result["slowest"] = sorted(
            ((k, round(t, 2)) for k, t in times.items()), key=lambda kv: -kv[1]
        )[:8]
        result["failed"] = [k for k, s in statuses.items() if s in ("error", "fail")]
        if manifest.exists() and ACCURACY_MART in times:
            parents = json.loads(manifest.read_text())["parent_map"]
            lineage: set[str] = set()
            todo = [ACCURACY_MART]
            while todo:
                node = todo.pop()
                if node in lineage:
                    continue
                lineage.add(node)
                todo.extend(parents.get(node, []))
            result["accuracy_lineage_seconds"] = sum(
                times.get(n, 0.0) for n in lineage if n.startswith(("model.", "seed."))
            )
    return result


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


def ingest(config: GenerateConfig, out: Path, repeats: int, chunk: int) -> dict[str, Any]:
    """Generate the data, then time read_csv and our loaders into a fresh warehouse."""
    data = out / "data"
    shutil.rmtree(data, ignore_errors=True)
    files, gen_seconds = timed(lambda: generate(config, data))
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "station_years": config.station_years,
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
    results["ingest_observations"] = load_observations(files.asos, chunk)
    log.info("loader: %.0f rows/s", results["ingest_observations"]["rows_per_s"])
    results["ingest_cli"] = load_cli(files.cli)
    results["ingest_kalshi"] = load_kalshi(files.markets, files.candles)
    log.info("kalshi: %.1f s", results["ingest_kalshi"]["seconds"])
    return results


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description="Benchmark ingestion, dbt build, pandas loop.")
    parser.add_argument("--station-years", type=int, default=70)
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the cheap steps")
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
        help="keep the data and warehouse of the last run; redo only dbt build and pandas",
    )
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 130))
    logging.basicConfig(
        level=logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
        force=True,
    )
    logging.getLogger("dlt").setLevel(logging.WARNING)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    config = GenerateConfig(
        station_years=args.station_years,
        candle_days=args.candle_days,
        candle_step_minutes=args.candle_step_minutes,
        days_per_year=args.days_per_year,
    )
    if args.reuse:
        results = json.loads((out / "results.json").read_text())
        warehouse = out / "bench.duckdb"
        os.environ["WAREHOUSE_PATH"] = str(warehouse)
        results["reused_from"] = results.get("started_at")
        results["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    else:
        results = ingest(config, out, args.repeats, args.chunk_station_years)
        warehouse = out / "bench.duckdb"
    if not args.skip_dbt:
        results["dbt_build"] = dbt_build(out)
        log.info(
            "dbt build: %.1f s (rc %d)",
            results["dbt_build"]["seconds"],
            results["dbt_build"]["returncode"],
        )
    if not args.skip_pandas:
        results["pandas"] = pandas_loop(warehouse, args.pandas_max_station_days)
        log.info("pandas loop: %.1f s", results["pandas"]["compute_seconds"])
    ratios = {}
    dbt = results.get("dbt_build", {})
    pandas = results.get("pandas", {})
    if dbt.get("returncode") == 0 and pandas.get("compute_seconds"):
        ratios["pandas loop / dbt build (all)"] = pandas["compute_seconds"] / dbt["seconds"]
        if dbt.get("accuracy_lineage_seconds"):
            ratios["pandas loop / accuracy lineage"] = (
                pandas["compute_seconds"] / dbt["accuracy_lineage_seconds"]
            )
    results["ratios"] = ratios
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(console, results)
    console.print(f"results: {out / 'results.json'}")


if __name__ == "__main__":  # pragma: no cover
    main()
