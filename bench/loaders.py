"""The ingestion step of the benchmark: DuckDB ``read_csv`` (the limit) and our loaders.

``python -m bench.loaders --step observations|cli_kalshi --files FILES.json --result RESULT.json``
runs one loader step over the generated files into ``WAREHOUSE_PATH`` in a process of its own, so
``bench.run`` measures each step's peak memory apart from generation, ``read_csv`` and the other
step (``bench.measure``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import duckdb

log = logging.getLogger(__name__)

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


STEPS = ("observations", "cli_kalshi")
"""The loader steps, one process each: the observation loader's memory is measured alone."""


def load_step(step: str, files: dict[str, list[Path]], chunk_station_years: int) -> dict[str, Any]:
    """One loader step over the generated files (``GeneratedFiles`` lists by kind).

    Returns:
        ``{"ingest_observations": ...}`` or ``{"ingest_cli": ..., "ingest_kalshi": ...}``.
    """
    if step == "observations":
        observations = load_observations(files["asos"], chunk_station_years)
        log.info("loader: %.0f rows/s", observations["rows_per_s"])
        return {"ingest_observations": observations}
    results = {"ingest_cli": load_cli(files["cli"])}
    results["ingest_kalshi"] = load_kalshi(files["markets"], files["candles"])
    log.info("kalshi: %.1f s", results["ingest_kalshi"]["seconds"])
    return results


def main(argv: list[str] | None = None) -> None:
    """Run one loader step over the files listed in ``--files``; write its figures to ``--result``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", choices=STEPS, required=True)
    parser.add_argument("--files", type=Path, required=True, help="JSON: kind -> list of paths")
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--chunk-station-years", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("dlt").setLevel(logging.WARNING)
    listed = json.loads(args.files.read_text(encoding="utf-8"))
    files = {kind: [Path(p) for p in paths] for kind, paths in listed.items()}
    results = load_step(args.step, files, args.chunk_station_years)
    args.result.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()
