"""Entry points that load Kalshi data into ``raw_kalshi``: files, live HTTP, and payloads.

Every load merges on the tables' primary keys, so re-running never duplicates rows. Parsed
rows stream to dlt in Arrow batches; rejects are loaded after the data they came from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from dlt.sources import DltResource
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.circuit import CircuitTransport
from adapters.kalshi import settings as api
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.credentials import resolve_signer
from domain.layout import warehouse_path
from domain.stations import Station
from pipelines.kalshi import files, kalshi_source, recordings, table_resource, top_of_book
from pipelines.kalshi.fields import ParseContext, guarded
from pipelines.kalshi.parsers import (
    parse_candle,
    parse_event,
    parse_market,
    parse_orderbook,
    parse_series,
    parse_trade,
    series_snapshot,
)
from pipelines.kalshi.payloads import KalshiPayloads
from pipelines.kalshi.tables import (
    CANDLESTICKS,
    EVENTS,
    MARKETS,
    ORDERBOOK_SNAPSHOTS,
    SERIES,
    SERIES_SNAPSHOTS,
    TRADES,
    Row,
    TableSpec,
)
from pipelines.loading import LoadSummary, table_row_counts
from pipelines.rejects import arrow_rejects_resource
from pipelines.warehouse import KALSHI_DATASET, assert_load_ok, make_pipeline

log = logging.getLogger(__name__)

__all__ = ["claims", "load_payloads", "run_files", "run_live"]


def claims(path: Path) -> bool:
    """Is this one of the Kalshi CSV exports this loader imports? (Sniffs the header.)

    Args:
        path: a file.

    Returns:
        True for settled ladders, candle exports, top-of-book logs and book recordings.
    """
    return path.is_file() and (files.sniff_path(path) is not None or recordings.claims(path))


# --------------------------------------------------------------------------------------------
# Shared loading machinery
# --------------------------------------------------------------------------------------------


class _Progress:
    """A rich progress display with one row counter per table."""

    def __init__(self, label: str) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} rows"),
            TimeElapsedColumn(),
            transient=False,
        )
        self.label = label
        self.tasks: dict[str, int] = {}

    def counter(self, table: str) -> Callable[[int], None]:
        task = self.progress.add_task(f"{self.label}: {table}", total=None)
        self.tasks[table] = task

        def _advance(rows: int) -> None:
            self.progress.advance(task, rows)

        return _advance

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _load(
    label: str,
    stages: Sequence[Callable[[_Progress], list[DltResource] | DltResource]],
    ctx: ParseContext,
    notes: list[str] | None = None,
) -> LoadSummary:
    """Extract the stages in order (later stages may use what earlier ones saw), then the
    rejects, then normalise and load in one go.
    """
    began = time.perf_counter()
    pipeline = make_pipeline("kalshi", KALSHI_DATASET)
    with _Progress(label) as progress:
        # extract + normalise stage by stage (each package with its own schema), load once
        for stage in stages:
            pipeline.extract(stage(progress))
            pipeline.normalize()
        pipeline.extract(arrow_rejects_resource(ctx.rejects))
        pipeline.normalize()
    info = pipeline.load()
    assert_load_ok(info, f"kalshi {label}")
    counts = table_row_counts(KALSHI_DATASET)
    log.info(
        "kalshi %s: loaded in %.1fs; %d rejects; %s",
        label,
        time.perf_counter() - began,
        len(ctx.rejects),
        counts,
    )
    return LoadSummary(
        source=f"kalshi {label}",
        dataset=KALSHI_DATASET,
        table_rows=counts,
        rejects_added=len(ctx.rejects),
        notes=list(notes or []),
    )


def _stage(
    spec: TableSpec, rows: Callable[[], Iterable[Row]]
) -> Callable[[_Progress], DltResource]:
    def _make(progress: _Progress) -> DltResource:
        return table_resource(spec, _lazy(rows), on_batch=progress.counter(spec.name))

    return _make


def _lazy(rows: Callable[[], Iterable[Row]]) -> Iterator[Row]:
    yield from rows()


def _existing_snapshot_keys() -> set[tuple[str, str, str]]:
    """Series snapshots already stored (their ``first_seen_at`` must not move on re-load)."""
    path = warehouse_path()
    if not path.exists():
        return set()
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute(
                f"select data_source, series_ticker, content_hash "
                f"from {KALSHI_DATASET}.series_snapshots"
            ).fetchall()
    except duckdb.Error:
        return set()
    return {(a, b, c) for a, b, c in rows}


def _empty(spec: TableSpec) -> Callable[[_Progress], DltResource]:
    """A stage that only makes sure ``spec``'s table exists."""
    return _stage(spec, lambda: [])


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def run_files(paths: list[Path]) -> LoadSummary:
    """Import real Kalshi CSV exports and book recordings into ``raw_kalshi`` (files channel).

    Args:
        paths: files (unclaimed ones are skipped with a note).

    Returns:
        Row counts per raw table after the load.
    """
    by_kind: dict[str, list[Path]] = {kind: [] for kind in files.KINDS}
    recorded: list[Path] = []
    notes: list[str] = []
    for path in sorted(paths):
        kind = files.sniff_path(path) if path.is_file() else None
        if kind is None and recordings.claims(path):
            recorded.append(path)
            continue
        if kind is None:
            notes.append(f"skipped {path}: not a known Kalshi export")
            continue
        by_kind[kind].append(path)
    ctx = files.file_context(location="files")
    events: dict[tuple[str, str], Row] = {}

    def _docs(kind: str) -> Iterator:
        for path in by_kind[kind]:
            log.info("reading %s", path)
            yield files.read_document(path)

    def market_rows() -> Iterator[Row]:
        for doc in _docs("settled_ladder"):
            yield from files.parse_settled_ladder(doc, ctx)
        for doc in _docs("hourly_candles"):
            yield from files.parse_hourly_candle_markets(doc, ctx)

    def markets_and_events() -> Iterator[Row]:
        for row in market_rows():
            for event in files.events_from_markets([row]):
                events.setdefault((event["data_source"], event["event_ticker"]), event)
            yield row

    def candle_rows() -> Iterator[Row]:
        for doc in _docs("presettlement_candles"):
            yield from files.parse_presettlement_candles(doc, ctx)
        for doc in _docs("hourly_candles"):
            yield from files.parse_hourly_candles(doc, ctx)
        for doc in _docs("trade_candles_5m"):
            yield from files.parse_trade_candles(doc, ctx)

    def book_rows() -> Iterator[Row]:
        docs = list(_docs("top_of_book"))
        zone = top_of_book.zone_of_books(docs)
        for doc in docs:
            yield from top_of_book.parse_top_of_book(doc, ctx, zone)

    stages: list[Callable[[_Progress], list[DltResource] | DltResource]] = [
        _stage(MARKETS, markets_and_events),
        _stage(EVENTS, lambda: list(events.values())),
        _stage(CANDLESTICKS, candle_rows),
        _stage(ORDERBOOK_SNAPSHOTS, book_rows),
        _empty(SERIES),
        _empty(SERIES_SNAPSHOTS),
        _empty(TRADES),
    ]
    if recorded:
        if not any(by_kind.values()):
            stages = []  # only recordings: the CSV tables are not this load's business
        # one extract for every ws_* table: each file is parsed once
        books = recordings.recording_stages(recorded, ctx)
        stages.append(
            lambda progress: [
                table_resource(spec, _lazy(rows), on_batch=progress.counter(spec.name))
                for spec, rows in books
            ]
        )
    return _load("files", stages, ctx, notes)


# --------------------------------------------------------------------------------------------
# Live HTTP
# --------------------------------------------------------------------------------------------


def run_live(stations: list[Station], start: date, end: date) -> LoadSummary:
    """Load series, events, markets, candles and trades for the stations' series over HTTP.

    Order books are snapshotted too when credentials are configured. The historical cutoff is
    re-read on every run and decides the tier of each market.

    Args:
        stations: stations whose HIGH, LOW and legacy HIGH series to load.
        start: first climate date.
        end: last climate date.

    Returns:
        Row counts per raw table after the load.
    """
    signer = resolve_signer()
    ctx = ParseContext(data_source="real", ingest_channel="http", location=api.base_url())
    existing = _existing_snapshot_keys()
    with KalshiClient(signer=signer, transport=CircuitTransport()) as client:
        source = kalshi_source(
            client, stations, start, end, ctx, include_orderbook=signer is not None
        )
        snapshots = source.resources["series_snapshots"]
        snapshots.add_map(
            lambda table: table.filter(
                pa.array(
                    [
                        (d, s, h) not in existing
                        for d, s, h in zip(
                            table.column("data_source").to_pylist(),
                            table.column("series_ticker").to_pylist(),
                            table.column("content_hash").to_pylist(),
                            strict=True,
                        )
                    ],
                    pa.bool_(),
                )
            )
        )
        stages: list[Callable[[_Progress], list[DltResource] | DltResource]] = [
            lambda _progress: list(source.selected_resources.values()),
            _empty(ORDERBOOK_SNAPSHOTS),
        ]
        return _load("live", stages, ctx)


# --------------------------------------------------------------------------------------------
# Payloads (the simulated-sample generator, recorded responses)
# --------------------------------------------------------------------------------------------


def load_payloads(payloads: KalshiPayloads, label: str) -> LoadSummary:
    """Load API-format objects (series, events, markets, candles, trades, order books).

    Everything is streamed: the iterables may be generators (the sample passes ~15k markets
    and a few hundred thousand candles).

    Args:
        payloads: the objects and their provenance.
        label: a short label for logs and the summary (``sample``...).

    Returns:
        Row counts per raw table after the load.
    """
    ctx = ParseContext(
        data_source=payloads.data_source,
        ingest_channel=payloads.ingest_channel,
        location=payloads.location,
    )
    existing = _existing_snapshot_keys()
    snapshots: dict[tuple[str, str, str], Row] = {}
    fetched_at = datetime.now(UTC)

    def series_rows() -> Iterator[Row]:
        for obj in payloads.series:
            row = guarded("kalshi_series", parse_series, ctx, obj, fetched_at)
            if row is None:
                continue
            key = (row["data_source"], row["series_ticker"], row["content_hash"])
            if key not in existing:
                snapshots.setdefault(key, series_snapshot(row))
            yield row

    def event_rows() -> Iterator[Row]:
        for obj in payloads.events:
            row = guarded("kalshi_events", parse_event, ctx, obj)
            if row is not None:
                yield row

    def market_rows() -> Iterator[Row]:
        for series_ticker, obj, tier in payloads.markets:
            row = guarded("kalshi_markets", parse_market, ctx, obj, series_ticker, tier)
            if row is not None:
                yield row

    def candle_rows() -> Iterator[Row]:
        for item in payloads.candles:
            row = guarded(
                "kalshi_candles",
                parse_candle,
                ctx,
                item.candle,
                item.series_ticker,
                item.market_ticker,
                item.period_minutes,
                item.tier,
            )
            if row is not None:
                yield row

    def trade_rows() -> Iterator[Row]:
        for obj in payloads.trades:
            row = guarded("kalshi_trades", parse_trade, ctx, obj)
            if row is not None:
                yield row

    def book_rows() -> Iterator[Row]:
        for ticker, at, body in payloads.orderbooks:
            where = f"{payloads.location}#{ticker}"
            rows = guarded(
                "kalshi_orderbook", parse_orderbook, ctx, body, ticker, at, location=where
            )
            yield from rows or []

    stages = [
        _stage(SERIES, series_rows),
        _stage(SERIES_SNAPSHOTS, lambda: list(snapshots.values())),
        _stage(EVENTS, event_rows),
        _stage(MARKETS, market_rows),
        _stage(CANDLESTICKS, candle_rows),
        _stage(TRADES, trade_rows),
        _stage(ORDERBOOK_SNAPSHOTS, book_rows),
    ]
    return _load(label, stages, ctx)
