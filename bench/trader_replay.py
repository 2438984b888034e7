"""Benchmark: the trader's replay of an event-day of recorded books, and ``decide`` latency.

```sh
.venv/bin/python -m bench.trader_replay                  # 40k generated top-of-book rows
.venv/bin/python -m bench.trader_replay --books ../shared/realdata/kalshi/kxhighny_top_of_book/KXHIGHNY-25DEC05.csv
```

1. **Replay**: a top-of-book file in the recorder's format (generated: ``--rows`` changes of the
   six brackets of KXHIGHNY over the climate day, naive US Pacific times; or a real one) is read
   (``trader.replay_books``) and replayed through ``trader.replay.run_replay``, the live loop on
   the 15-minute checkpoint grid, with simulated KNYC weather (5-minute and hourly reports) and
   a KNYC HIGH design row, journaling to a throwaway SQLite journal. Wall time from reading the
   file to the settled day; ticks/s = book rows / wall time (target: the day under 1 s).
2. **decide()**: ``domain.decision.decide`` latency per rule (``design``, ``fair_value``), the
   microbenchmark of ``bench.decide`` (its docstring has the inputs and the method).

Not a timed test: it prints a table (and ``--json`` the figures).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.decide import DAY, EVENT, STATION, TICKERS, measure
from domain.climate_day import climate_day_window
from domain.running_extreme import Observation
from domain.stations import Station, station_by_icao
from trader.replay import ReplayClock, ReplayConfig, run_replay
from trader.replay_books import (
    RECORDER_ZONE,
    RecordedBooks,
    RecordedDay,
    event_of,
    read_top_of_book,
)
from trader.settlement import ClimateReport


def generate_books(path: Path, rows: int, seed: int = 7) -> Path:
    """Write ``rows`` top-of-book changes of the day's six brackets in the recorder's format.

    Args:
        path: the folder; the file is ``KXHIGHNY-25DEC05.csv`` in it.
        rows: rows to write, spread evenly over the climate day.
        seed: the random walk's seed.

    Returns:
        The file.
    """
    rng = random.Random(seed)
    start, end = climate_day_window(DAY, station_by_icao(STATION))
    step = (end - start) / rows
    mids = {ticker: rng.randint(5, 60) for ticker in TICKERS}
    out = path / f"{EVENT}.csv"
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            (
                "timestamp",
                "market_ticker",
                "best_yes_bid",
                "best_no_bid",
                "implied_no_ask",
                "implied_yes_ask",
            )
        )
        for n in range(rows):
            ticker = TICKERS[n % len(TICKERS)]
            mids[ticker] = min(95, max(3, mids[ticker] + rng.choice((-1, 0, 1))))
            yes_bid, no_bid = mids[ticker] - 1, 99 - mids[ticker]
            naive = (start + step * n).astimezone(RECORDER_ZONE).replace(tzinfo=None)
            writer.writerow(
                (
                    naive.isoformat(),
                    f"{EVENT}-{ticker}",
                    yes_bid,
                    no_bid,
                    100 - yes_bid,
                    100 - no_bid,
                )
            )
    return out


class SimulatedWeather:
    """KNYC's day: 5-minute and hourly reports on a smooth curve, and its CLI report."""

    def __init__(self, day: date) -> None:
        self.day = day
        station = station_by_icao(STATION)
        start, self.end = climate_day_window(day, station)
        self.observations: list[Observation] = []
        for minutes in range(0, 24 * 60, 5):
            at = start + timedelta(minutes=minutes)
            tenths = Decimal(int(10 * (1 + 3 * (1 - abs(minutes - 900) / 900))))
            report_type = 3 if minutes % 60 == 50 else 1
            self.observations.append(Observation(STATION, at, report_type, tenths))
        high = max(o.temp_f_whole or 0 for o in self.observations)
        low = min(o.temp_f_whole or 0 for o in self.observations)
        issued = self.end + timedelta(hours=2)
        self.cli = ClimateReport(STATION, day, high, low, f"{issued:%Y%m%d%H%M}-KOKX-CDUS41-CLINYC")

    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]:
        """Reports valid in ``[start, end)``."""
        return [o for o in self.observations if start <= o.observed_at < end]

    def report(self, station: Station, climate_date: date) -> ClimateReport | None:
        """The day's CLI report."""
        return self.cli if climate_date == self.day else None

    def settle_at(self) -> datetime:
        """After the CLI is out."""
        return self.end + timedelta(hours=3)


def _export(folder: Path) -> Path:
    row = {
        "data_source": "simulated",
        "station_icao": STATION,
        "contract_type": "HIGH",
        "rule": "design",
        "window_start_minute": 600,
        "window_end_minute": 1440,
        "buffer_f": 0,
        "accuracy": "0.9000",
        "min_edge": "0.0200",
        "tier": "A",
        "max_obs_age_minutes": 20,
        "stake_min": "5.00",
        "stake_max": "10.00",
        "verdict": "GO",
    }
    path = folder / "station_thresholds_simulated.json"
    path.write_text(json.dumps([row]))
    return path


def replay_books(books: Path, folder: Path) -> dict[str, Any]:
    """Read and replay one recorded event-day; the wall time covers both."""
    _, day = event_of(books)
    export = _export(folder)
    weather = SimulatedWeather(day)
    started = time.perf_counter()
    ticks = read_top_of_book(books)
    read = time.perf_counter() - started

    def source(clock: ReplayClock, stations: tuple[str, ...]) -> RecordedDay:
        return RecordedDay(RecordedBooks(ticks, clock), weather)

    config = ReplayConfig(
        day=day,
        warehouse=folder / "unused.duckdb",
        export=export,
        journal=folder / "journal.sqlite",
        simulated=True,
    )
    result = run_replay(config, source)
    wall = time.perf_counter() - started
    return {
        "book_rows": len(ticks),
        "loop_ticks": result.ticks,
        "orders": len(result.orders),
        "read_seconds": read,
        "wall_seconds": wall,
        "ticks_per_second": len(ticks) / wall,
    }


def print_results(console: Console, results: dict[str, Any]) -> None:
    """The figures as a table."""
    replayed = results["replay"]
    table = Table(title="trader replay and decide()")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("note")
    table.add_row("book rows replayed", f"{replayed['book_rows']:,}", results["books"])
    table.add_row(
        "replay wall time",
        f"{replayed['wall_seconds']:.3f} s",
        f"read {replayed['read_seconds']:.3f} s; {replayed['loop_ticks']} loop ticks, "
        f"{replayed['orders']} order(s); target < 1 s",
    )
    table.add_row(
        "replay speed", f"{replayed['ticks_per_second']:,.0f} ticks/s", "book rows / wall"
    )
    for rule, figures in results["decide"].items():
        table.add_row(
            f"decide() {rule}",
            f"p50 {figures['p50_us']:.1f} µs, p99 {figures['p99_us']:.1f} µs",
            f"{figures['calls']:,} calls, {figures['trades']} trades",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print the table (``--json``: the figures too)."""
    parser = argparse.ArgumentParser(description="Trader replay speed and decide() latency.")
    parser.add_argument(
        "--books", type=Path, help="a recorded top-of-book file (default: generate)"
    )
    parser.add_argument("--rows", type=int, default=40_000, help="rows to generate")
    parser.add_argument("--decide-calls", type=int, default=20_000, help="decide() calls per rule")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trader_replay_") as tmp:
        folder = Path(tmp)
        books = args.books or generate_books(folder, args.rows)
        results: dict[str, Any] = {
            "books": str(args.books) if args.books else f"generated {EVENT}",
            "replay": replay_books(books, folder),
            "decide": measure(args.decide_calls),
        }
    console = Console()
    print_results(console, results)
    if args.json:
        console.print_json(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
