"""``--source sample``: generate the simulated sample and load it through the real loaders.

The sample is SIMULATED data (``data_source='simulated'``, ``ingest_channel='sample'``,
``simulated://`` locations): a deterministic stand-in for IEM and Kalshi used by ``make demo``,
CI and every mart until real data is loaded. Same inputs, byte-identical documents.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Generic, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from domain.stations import Station
from pipelines.kalshi.payloads import KalshiPayloads
from pipelines.loading import LoadSummary
from pipelines.sample.climate_reports import cf6_documents, cli_documents
from pipelines.sample.forecasts import forecast_documents
from pipelines.sample.kalshi import kalshi_payloads
from pipelines.sample.truth import iter_days
from pipelines.sample.weather import asos_documents

log = logging.getLogger(__name__)

# 200 consecutive climate days: enough for a date-based train/test split with >= 60 test days.
DEFAULT_START = date(2025, 3, 1)
DEFAULT_END = date(2025, 9, 16)
DEFAULT_DAYS = (DEFAULT_END - DEFAULT_START).days + 1

IEM_LABEL = "iem sample (simulated)"
KALSHI_LABEL = "sample (simulated)"  # the Kalshi loader prefixes "kalshi "
FORECAST_LABEL = "visual crossing sample (simulated)"

T = TypeVar("T")


def sample_window(start: date | None, end: date | None) -> tuple[date, date]:
    """The climate-date window: the default 200 days, or 200 days from/to the one bound given.

    Raises:
        ValueError: ``start`` is after ``end``.
    """
    if start is None and end is None:
        return DEFAULT_START, DEFAULT_END
    if start is None:
        assert end is not None
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValueError(f"sample start {start} is after end {end}")
    return start, end


class _Timed(Generic[T]):
    """Wraps an iterable, accumulating the time spent producing its items (generation time)."""

    def __init__(self, source: Iterable[T], clock: list[float]) -> None:
        self._source = source
        self._clock = clock

    def __iter__(self) -> Iterator[T]:
        iterator = iter(self._source)
        while True:
            began = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self._clock[0] += time.perf_counter() - began
                return
            self._clock[0] += time.perf_counter() - began
            yield item


def run_sample(stations: list[Station], start: date | None, end: date | None) -> list[LoadSummary]:
    """Generate the simulated sample for ``stations`` and the window, and load it.

    Args:
        stations: stations from the registry (``domain.stations``).
        start: first climate date (default 2025-03-01).
        end: last climate date (default 2025-09-16).

    Returns:
        The IEM, Kalshi and Visual Crossing (forecasts) load summaries.
    """
    from pipelines.iem.runner import load_documents
    from pipelines.kalshi.runner import load_payloads
    from pipelines.visual_crossing.runner import load_documents as load_forecasts

    first, last = sample_window(start, end)
    days = iter_days(first, last)
    log.info(
        "SIMULATED sample: %d stations x %d climate days (%s..%s), data_source='simulated'",
        len(stations),
        len(days),
        first,
        last,
    )
    total = len(stations) * len(days)
    weather_clock, market_clock = [0.0], [0.0]
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("station-days"),
        TimeElapsedColumn(),
    ) as progress:
        weather_task = progress.add_task("simulate weather (IEM)", total=total)
        market_task = progress.add_task("simulate markets (Kalshi)", total=total)

        def advance(task: TaskID) -> Callable[[], None]:
            return lambda: progress.advance(task)

        began = time.perf_counter()
        iem = load_documents(
            _Timed(asos_documents(stations, days, advance(weather_task)), weather_clock),
            _Timed(cli_documents(stations, days), weather_clock),
            _Timed(cf6_documents(stations, days), weather_clock),
            IEM_LABEL,
        )
        iem_seconds = time.perf_counter() - began
        began = time.perf_counter()
        payloads = kalshi_payloads(stations, days, advance(market_task))
        kalshi = load_payloads(_timed_payloads(payloads, market_clock), KALSHI_LABEL)
        kalshi_seconds = time.perf_counter() - began
        began = time.perf_counter()
        forecasts = load_forecasts(forecast_documents(stations, days), FORECAST_LABEL)
        forecast_seconds = time.perf_counter() - began
    log.info(
        "sample weather: %.1f s (generation %.1f s); markets: %.1f s (generation %.1f s); "
        "forecasts: %.1f s",
        iem_seconds,
        weather_clock[0],
        kalshi_seconds,
        market_clock[0],
        forecast_seconds,
    )
    return [iem, kalshi, forecasts]


def _timed_payloads(payloads: KalshiPayloads, clock: list[float]) -> KalshiPayloads:
    """The payloads with every stream wrapped in a generation timer."""
    return KalshiPayloads(
        data_source=payloads.data_source,
        ingest_channel=payloads.ingest_channel,
        location=payloads.location,
        series=_Timed(payloads.series, clock),
        events=_Timed(payloads.events, clock),
        markets=_Timed(payloads.markets, clock),
        candles=_Timed(payloads.candles, clock),
        trades=_Timed(payloads.trades, clock),
    )
