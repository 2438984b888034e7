"""Generate N station-years of simulated raw data in the real wire formats, fast (numpy + DuckDB).

Written under ``<out>/`` (default ``bench/out/data``):

- ``asos/<ICAO>_<year>_rt1.csv``: 5-minute HF-METAR observations (report type 1), and
  ``asos/<ICAO>_<year>_rt3.csv``: routine hourly METARs at :53 (report type 3, with the
  ``T`` group, ``SLP`` and the 6-hour max/min groups at 00/06/12/18 UTC); IEM ``asos.py`` CSV,
  header ``station,valid,tmpf,dwpf,metar``, ``valid`` in UTC.
- ``cli/<ICAO>_<year>.json``: IEM ``json/cli.py`` responses (the settlement value).
- ``kalshi/markets_<ICAO>_<year>.json``: ``GET /markets``-style pages of settled ladders
  (6 markets per station, contract and day: two tails and four 2 °F bins).
- ``kalshi/candles_<ICAO>_<year>.jsonl``: one ``GET .../candlesticks`` body per line (1-minute
  candles, one every ``candle_step_minutes`` of the climate day, for the last ``candle_days``
  days up to the end of ``last_year``), with ``series_ticker`` and ``period_interval`` beside
  ``ticker``.

Every value is simulated (the loaders label it ``data_source = 'simulated'``). The model is
deliberately simple: seasonal + diurnal cycle + a smooth daily anomaly + 5-minute noise; the CLI
extreme is the 5-minute extreme, sometimes one degree beyond it (peaks between samples).
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.generate_iem import write_asos, write_cli
from bench.generate_kalshi import ladders, write_candles, write_markets
from bench.simulate import GenerateConfig, plan, simulate

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "data"


@dataclass
class GeneratedFiles:
    """Paths written, and row counts per kind."""

    asos: list[Path] = field(default_factory=list)
    cli: list[Path] = field(default_factory=list)
    markets: list[Path] = field(default_factory=list)
    candles: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def add_rows(self, kind: str, count: int) -> None:
        """Count rows of one kind."""
        self.rows[kind] = self.rows.get(kind, 0) + count


def generate(config: GenerateConfig, out: Path = DEFAULT_OUT) -> GeneratedFiles:
    """Generate every file for ``config.station_years`` station-years under ``out``.

    Args:
        config: sizes and seed.
        out: the output folder (replaced file by file; other files are left alone).

    Returns:
        The files written and row counts per kind (``asos_hf``, ``asos_routine``, ``cli``,
        ``markets``, ``candles``).
    """
    files = GeneratedFiles()
    for index, planned in enumerate(plan(config)):
        # one station-year in memory at a time: a 700 station-year run streams to disk
        rng = np.random.default_rng([config.seed, index])
        station, year = planned.station, planned.year
        sy = simulate(station, year, rng, config.days_per_year, planned.climate_icao)
        for (path, rows), kind in zip(
            write_asos(sy, out / "asos", rng), ("asos_hf", "asos_routine"), strict=True
        ):
            files.asos.append(path)
            files.add_rows(kind, rows)
        path, rows = write_cli(sy, out / "cli")
        files.cli.append(path)
        files.add_rows("cli", rows)
        ladder_rows = ladders(sy)
        path, rows = write_markets(sy, ladder_rows, out / "kalshi")
        files.markets.append(path)
        files.add_rows("markets", rows)
        path, rows = write_candles(sy, ladder_rows, config, rng, out / "kalshi")
        files.candles.append(path)
        files.add_rows("candles", rows)
        log.info("generated %s %d", station.icao, year)
    return files


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.generate [--station-years N] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--station-years", type=int, default=GenerateConfig.station_years)
    parser.add_argument("--stations", type=int, default=None, help="default: see GenerateConfig")
    parser.add_argument("--last-year", type=int, default=GenerateConfig.last_year)
    parser.add_argument("--candle-days", type=int, default=GenerateConfig.candle_days)
    parser.add_argument(
        "--candle-step-minutes", type=int, default=GenerateConfig.candle_step_minutes
    )
    parser.add_argument("--days-per-year", type=int, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    files = generate(
        GenerateConfig(
            station_years=args.station_years,
            stations=args.stations,
            last_year=args.last_year,
            candle_days=args.candle_days,
            candle_step_minutes=args.candle_step_minutes,
            days_per_year=args.days_per_year,
        ),
        args.out,
    )
    for kind, rows in sorted(files.rows.items()):
        log.info("%-13s %12s rows", kind, f"{rows:,}")


if __name__ == "__main__":  # pragma: no cover
    main()
