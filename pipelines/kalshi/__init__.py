"""dlt resources and the source for Kalshi market data (HTTP: :mod:`adapters.kalshi.client`).

Every raw table is ``write_disposition="merge"`` on a primary key that includes
``data_source``, with explicit column types (see :mod:`pipelines.kalshi.tables`).
Rows are handed to dlt as Arrow batches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from adapters.kalshi import settings as api
from adapters.kalshi.client import KalshiClient, KalshiError
from adapters.kalshi.historical import HistoricalCutoff
from domain.stations import Station
from domain.tickers import TickerError, parse_ticker
from pipelines.kalshi import settings
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
    arrow_batches,
)

log = logging.getLogger(__name__)

__all__ = [
    "fetch_series",
    "iter_candles",
    "iter_events",
    "iter_markets",
    "iter_orderbooks",
    "iter_trades",
    "kalshi_source",
    "table_resource",
]


def table_resource(
    spec: TableSpec,
    rows: Iterable[Row],
    *,
    name: str | None = None,
    on_batch: Callable[[int], None] | None = None,
    batch_rows: int = settings.BATCH_ROWS,
) -> DltResource:
    """A merge resource for one raw table fed by already-parsed rows.

    Args:
        spec: the raw table.
        rows: its rows (a lazy iterable is streamed).
        name: resource name (default: the table name).
        on_batch: progress callback, called with each batch's row count.
        batch_rows: rows per Arrow batch.

    Returns:
        The resource.
    """

    def _batches() -> Iterator[pa.Table]:
        yield from arrow_batches(rows, spec, batch_rows, on_batch)

    return dlt.resource(
        _batches,
        name=name or spec.name,
        table_name=spec.name,
        write_disposition="merge",
        primary_key=list(spec.primary_key),
        columns=spec.dlt_columns(),
    )


# --------------------------------------------------------------------------------------------
# Live HTTP resources
# --------------------------------------------------------------------------------------------


def _window(start: date, end: date) -> tuple[int, int]:
    """Close-time window (Unix seconds) covering climate dates start..end in any US zone."""
    lo = datetime.combine(start, time(0), UTC)
    hi = datetime.combine(end + timedelta(days=2), time(0), UTC)
    return int(lo.timestamp()), int(hi.timestamp())


def _in_dates(ticker: str, start: date, end: date) -> bool:
    try:
        return start <= parse_ticker(ticker).climate_date <= end
    except TickerError:
        return True  # keep it: staging flags malformed tickers with a reason


def fetch_series(
    client: KalshiClient, series_tickers: Iterable[str], ctx: ParseContext
) -> list[Row]:
    """``GET /series/{t}`` for each ticker, parsed; unknown series are logged and skipped.

    Args:
        client: the REST client.
        series_tickers: series to read.
        ctx: provenance and reject sink.

    Returns:
        The series rows.
    """
    rows: list[Row] = []
    now = datetime.now(UTC)
    for ticker in series_tickers:
        try:
            body = client.get(f"/series/{ticker}") or {}
        except KalshiError as exc:
            if exc.status == 404:
                log.info("series %s not found (legacy series are historical only)", ticker)
                continue
            raise
        obj = body.get("series") or {}
        row = guarded("kalshi_series", parse_series, ctx, obj, now)
        if row is not None:
            rows.append(row)
    return rows


def iter_markets(
    client: KalshiClient,
    series_tickers: Iterable[str],
    start: date,
    end: date,
    cutoff: HistoricalCutoff,
    ctx: ParseContext,
) -> Iterator[Row]:
    """Markets of the series whose climate date is in start..end, from the right tier.

    Live ``/markets`` first; ``/historical/markets`` only when the window reaches before the
    cutoff (``market_settled_ts``). A ticker seen live is not read again from history.
    Legacy ``HIGH*`` series only exist in the historical tier.

    Args:
        client: the REST client.
        series_tickers: series to read (current and legacy).
        start: first climate date.
        end: last climate date.
        cutoff: the historical cutoff of this run.
        ctx: provenance and reject sink.

    Returns:
        Market rows.
    """
    min_close, max_close = _window(start, end)
    seen: set[str] = set()
    needs_history = cutoff.markets_need_history(datetime.fromtimestamp(min_close, UTC))
    for series_ticker in series_tickers:
        routes = [("live", "/markets")]
        if needs_history:
            routes.append(("historical", "/historical/markets"))
        for tier, path in routes:
            params = {
                "series_ticker": series_ticker,
                "min_close_ts": min_close,
                "max_close_ts": max_close,
                "limit": api.MARKETS_PAGE_LIMIT if tier == "live" else api.HISTORICAL_PAGE_LIMIT,
            }
            for obj in client.paginate(path, "markets", params):
                ticker = obj.get("ticker") if isinstance(obj, dict) else None
                if ticker in seen:
                    continue
                if isinstance(ticker, str) and not _in_dates(ticker, start, end):
                    continue
                row = guarded("kalshi_markets", parse_market, ctx, obj, series_ticker, tier)
                if row is not None:
                    seen.add(row["market_ticker"])
                    yield row


def iter_events(
    client: KalshiClient, series_tickers: Iterable[str], start: date, end: date, ctx: ParseContext
) -> Iterator[Row]:
    """Events of the series with climate dates in start..end (``GET /events``, no nesting)."""
    min_close, _ = _window(start, end)
    for series_ticker in series_tickers:
        params = {
            "series_ticker": series_ticker,
            "min_close_ts": min_close,
            "limit": api.EVENTS_PAGE_LIMIT,
        }
        for obj in client.paginate("/events", "events", params):
            ticker = obj.get("event_ticker") or obj.get("ticker") if isinstance(obj, dict) else None
            if isinstance(ticker, str) and not _in_dates(ticker, start, end):
                continue
            row = guarded("kalshi_events", parse_event, ctx, obj)
            if row is not None:
                yield row


def iter_candles(
    client: KalshiClient,
    markets_rows: Iterable[Row],
    ctx: ParseContext,
    periods: Iterable[int] = settings.CANDLE_PERIODS,
) -> Iterator[Row]:
    """Candles (1- and 60-minute) of each market from its tier's endpoint.

    Live: ``/series/{s}/markets/{t}/candlesticks``; historical:
    ``/historical/markets/{t}/candlesticks`` (keys without the ``_dollars`` suffix).

    Args:
        client: the REST client.
        markets_rows: parsed market rows (tier, open/close times).
        ctx: provenance and reject sink.
        periods: candle intervals in minutes.

    Returns:
        Candle rows.
    """
    now = datetime.now(UTC)
    for market in markets_rows:
        opened = market.get("open_time") or market.get("created_time")
        closed = market.get("close_time") or now
        if opened is None:
            continue
        ticker = market["market_ticker"]
        series_ticker = market.get("series_ticker") or parse_ticker(ticker).series_ticker
        tier = "historical" if market.get("market_tier") == "historical" else "live"
        path = (
            f"/historical/markets/{ticker}/candlesticks"
            if tier == "historical"
            else f"/series/{series_ticker}/markets/{ticker}/candlesticks"
        )
        for period in periods:
            step = timedelta(minutes=period * api.MAX_CANDLES_PER_REQUEST)
            lo = opened
            while lo < closed:
                hi = min(closed, lo + step)
                body = client.get(
                    path,
                    {
                        "start_ts": int(lo.timestamp()),
                        "end_ts": int(hi.timestamp()),
                        "period_interval": period,
                    },
                )
                for candle in (body or {}).get("candlesticks") or []:
                    row = guarded(
                        "kalshi_candles",
                        parse_candle,
                        ctx,
                        candle,
                        series_ticker,
                        ticker,
                        period,
                        tier,
                    )
                    if row is not None:
                        yield row
                lo = hi


def iter_trades(
    client: KalshiClient,
    market_tickers: Iterable[str],
    min_ts: datetime,
    cutoff: HistoricalCutoff,
    ctx: ParseContext,
) -> Iterator[Row]:
    """Trades of each market since ``min_ts``: live tier, plus history before the cutoff."""
    for ticker in market_tickers:
        routes = ["/markets/trades"]
        if cutoff.trades_need_history(min_ts):
            routes.append("/historical/trades")
        for path in routes:
            params = {
                "ticker": ticker,
                "min_ts": int(min_ts.timestamp()),
                "limit": api.TRADES_PAGE_LIMIT,
            }
            for obj in client.paginate(path, "trades", params):
                row = guarded("kalshi_trades", parse_trade, ctx, obj)
                if row is not None:
                    yield row


def iter_orderbooks(
    client: KalshiClient, market_tickers: Iterable[str], ctx: ParseContext
) -> Iterator[Row]:
    """One authenticated order-book snapshot per market, stamped with the request time."""
    for ticker in market_tickers:
        at = datetime.now(UTC)
        body = client.orderbook_body(ticker)
        where = client.url(f"/markets/{ticker}/orderbook")
        rows = guarded("kalshi_orderbook", parse_orderbook, ctx, body, ticker, at, location=where)
        yield from rows or []


@dlt.source(name="kalshi", max_table_nesting=0)
def kalshi_source(
    client: KalshiClient,
    stations: list[Station],
    start: date,
    end: date,
    ctx: ParseContext,
    include_orderbook: bool = False,
) -> list[DltResource]:
    """Kalshi series, events, markets, candles, trades (and optionally order books) over HTTP.

    Args:
        client: the REST client (signed when credentials are configured).
        stations: stations whose HIGH/LOW/legacy series to load.
        start: first climate date.
        end: last climate date.
        ctx: provenance and reject sink (rejects are loaded by the runner afterwards).
        include_orderbook: also snapshot order books (needs credentials).

    Returns:
        The resources.
    """
    series_tickers = [ticker for station in stations for ticker in station.series_tickers]
    cutoff = client.historical_cutoff()
    series_rows = fetch_series(client, series_tickers, ctx)
    # Markets are read eagerly (hundreds per station-week): candles, trades and order books
    # fan out per market, and this keeps them independent of dlt's extraction order.
    market_rows = list(iter_markets(client, series_tickers, start, end, cutoff, ctx))
    since = datetime.combine(start, time(0), UTC)

    def _candles() -> Iterator[pa.Table]:
        yield from arrow_batches(iter_candles(client, market_rows, ctx), CANDLESTICKS)

    def _trades(
        created_time: dlt.sources.incremental[datetime] = dlt.sources.incremental(  # noqa: B008
            "created_time", initial_value=since
        ),
    ) -> Iterator[pa.Table]:
        lower = max(since, created_time.last_value or since)
        tickers = [row["market_ticker"] for row in market_rows]
        yield from arrow_batches(iter_trades(client, tickers, lower, cutoff, ctx), TRADES)

    def _orderbooks() -> Iterator[pa.Table]:
        tickers = [r["market_ticker"] for r in market_rows if r.get("status") == "active"]
        yield from arrow_batches(iter_orderbooks(client, tickers, ctx), ORDERBOOK_SNAPSHOTS)

    def _res(fn: Callable[..., Any], spec: TableSpec) -> DltResource:
        return dlt.resource(
            fn,
            name=spec.name,
            table_name=spec.name,
            write_disposition="merge",
            primary_key=list(spec.primary_key),
            columns=spec.dlt_columns(),
        )

    resources = [
        table_resource(SERIES, series_rows),
        table_resource(SERIES_SNAPSHOTS, [series_snapshot(r) for r in series_rows]),
        table_resource(EVENTS, iter_events(client, series_tickers, start, end, ctx)),
        table_resource(MARKETS, market_rows),
        _res(_candles, CANDLESTICKS),
        _res(_trades, TRADES),
    ]
    if include_orderbook:
        resources.append(_res(_orderbooks, ORDERBOOK_SNAPSHOTS))
    return resources
