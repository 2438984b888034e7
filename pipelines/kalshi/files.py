"""Import real Kalshi CSV exports (``../shared/realdata/kalshi``) into the raw Kalshi tables.

Every row is stamped ``data_source='real'``, ``ingest_channel='files'`` and goes through the
same money rules as the API parsers (:mod:`domain.money`). Formats:

* settled ladders (``settled_ladders_*.csv``) -> ``markets`` (tier ``files``) and ``events``.
  Strikes come from the ticker (:func:`domain.tickers.bracket_from_ticker` grammar), never from
  the CSV's ``threshold_high``, which is wrong for ``B`` brackets (30..32 for ``B30.5``; the
  real bracket is 30..31). Malformed tickers go to rejects.
* pre-settlement candles (``presettlement_candles_*.csv``) -> ``candlesticks`` (period 60,
  cents -> dollars, ``nan`` -> null); ``snapshot_time_utc`` is the bar end.
* the KXHIGHCHI 2026-06-01 hourly candles -> ``candlesticks`` (dollars) and ``markets``.
* 5-minute trade candles -> ``candlesticks`` (period 5, price OHLC and trade count only).
* top-of-book logs (``kxhighny_top_of_book/*.csv``) -> ``orderbook_snapshots``: sniffed here,
  parsed by :mod:`pipelines.kalshi.top_of_book` (whose naive timestamps' zone is inferred).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from domain.bounds import bounded_whole, check_count
from domain.money import cents_text, count_text, dollars_text, number_text
from domain.tickers import TickerError, bracket_from_ticker, parse_ticker
from pipelines.documents import RawDocument, csv_lines
from pipelines.kalshi.csv_rows import each_row, field_value, series_of
from pipelines.kalshi.fields import ParseContext, ParseError, canonical_json, instant
from pipelines.kalshi.tables import Row

DATA_SOURCE = "real"
CHANNEL = "files"

# Header signatures of the known exports (a file is claimed when its header has all of these).
KINDS: dict[str, frozenset[str]] = {
    "settled_ladder": frozenset(
        {
            "date",
            "ticker",
            "event_ticker",
            "strike_type",
            "result",
            "actual_tmax",
            "settlement_value",
        }
    ),
    "presettlement_candles": frozenset(
        {"ticker", "strike_type", "bid_cents", "ask_cents", "open_interest", "snapshot_time_utc"}
    ),
    "hourly_candles": frozenset(
        {
            "market_ticker",
            "event_ticker",
            "ts_utc",
            "floor_strike",
            "cap_strike",
            "yes_bid",
            "yes_ask",
        }
    ),
    "trade_candles_5m": frozenset({"ticker", "start", "open", "high", "low", "close", "count"}),
    "top_of_book": frozenset({"timestamp", "market_ticker", "best_yes_bid", "best_no_bid"}),
}

# Which raw tables each kind feeds.
KIND_TABLES: dict[str, tuple[str, ...]] = {
    "settled_ladder": ("markets", "events"),
    "presettlement_candles": ("candlesticks",),
    "hourly_candles": ("markets", "candlesticks"),
    "trade_candles_5m": ("candlesticks",),
    "top_of_book": ("orderbook_snapshots",),
}


def sniff_kind(header: Iterable[str]) -> str | None:
    """The export kind whose signature the CSV header carries, or None.

    Args:
        header: the header's column names.

    Returns:
        A key of :data:`KINDS`, or None.
    """
    columns = {name.strip() for name in header}
    for kind, needed in KINDS.items():
        if needed <= columns:
            return kind
    return None


# A header is one short line; reading a bounded head keeps a file with no line end cheap.
_SNIFF_CHARS = 64 * 1024


def sniff_text(head: str) -> str | None:
    """The export kind of a CSV text (or its head), from its first non-blank line; else None."""
    first = next(csv_lines(head), None)
    if first is None or first.values is None:
        return None
    return sniff_kind(first.values)


def sniff_path(path: Path) -> str | None:
    """Read a file's head and sniff its kind (None for non-CSV, unreadable or unknown files)."""
    if path.suffix.lower() != ".csv":
        return None
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            head = handle.read(_SNIFF_CHARS)
    except OSError:
        return None
    return sniff_text(head)


def read_document(path: Path) -> RawDocument:
    """A CSV export as a raw document (real data, files channel; bad bytes become U+FFFD)."""
    return RawDocument(
        text=path.read_text(encoding="utf-8", errors="replace"),
        location=str(path),
        data_source=DATA_SOURCE,
        ingest_channel=CHANNEL,
    )


def _strikes_from_ticker(ticker: str, strike_type: str | None) -> tuple[str | None, str | None]:
    """(floor_strike, cap_strike) text as the 2026 API states them, from the ticker suffix.

    ``B72.5`` -> 72 / 73 (between, inclusive); ``T93`` greater -> floor 93; less -> cap 93.
    The bracket is validated with :func:`domain.tickers.bracket_from_ticker`.
    """
    parsed = parse_ticker(ticker)
    bracket_from_ticker(ticker, strike_type)  # raises TickerError / BracketError
    assert parsed.strike is not None
    if parsed.kind == "B":
        if strike_type not in (None, "between"):
            raise TickerError(f"{ticker!r}: B suffix with strike_type {strike_type!r}")
        half = Decimal("0.5")
        return number_text(str(parsed.strike - half), "floor"), number_text(
            str(parsed.strike + half), "cap"
        )
    strike = number_text(str(parsed.strike), "strike")
    return (strike, None) if strike_type == "greater" else (None, strike)


def parse_settled_ladder(doc: RawDocument, ctx: ParseContext) -> Iterator[Row]:
    """Settled ladder rows as ``markets`` rows (tier ``files``, strikes from the ticker).

    Args:
        doc: the CSV document.
        ctx: provenance and reject sink.

    Returns:
        Market rows; columns this table has no place for (``actual_tmax``, ``market_prob``,
        the source's thresholds...) are kept in ``extra_json``.
    """
    mapped = {
        "ticker",
        "event_ticker",
        "strike_type",
        "result",
        "settlement_value",
        "volume",
        "bid_price",
        "ask_price",
    }

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("ticker") or "").strip()
        strike_type = field_value(row, "strike_type")
        parsed = parse_ticker(ticker)
        floor, cap = _strikes_from_ticker(ticker, strike_type)
        event = field_value(row, "event_ticker")
        if event and event != parsed.event_ticker:
            raise TickerError(f"event_ticker {event!r} does not match ticker {ticker!r}")
        result = field_value(row, "result")
        if result not in ("yes", "no"):
            raise ParseError(f"unknown result {result!r}")
        settlement = field_value(row, "settlement_value")
        extra = {k: v for k, v in row.items() if k not in mapped}
        yield {
            "market_ticker": ticker,
            "event_ticker": parsed.event_ticker,
            "series_ticker": parsed.series_ticker,
            "market_tier": "files",
            "status": "finalized",
            "result": result,
            "strike_type": strike_type,
            "floor_strike": floor,
            "cap_strike": cap,
            "settlement_value_dollars": cents_text(settlement, "settlement_value"),
            "volume_fp": count_text(field_value(row, "volume"), "volume"),
            "yes_bid_dollars": dollars_text(field_value(row, "bid_price"), "bid_price"),
            "yes_ask_dollars": dollars_text(field_value(row, "ask_price"), "ask_price"),
            "extra_json": canonical_json(extra),
            **ctx.provenance(where),
        }

    yield from each_row(doc, ctx, "kalshi_files_settled_ladder", _row)


def events_from_markets(rows: Iterable[Row]) -> Iterator[Row]:
    """One ``events`` row per distinct event of already-parsed market rows (files channel)."""
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row["data_source"], row["event_ticker"])
        if key in seen:
            continue
        seen.add(key)
        yield {
            "event_ticker": row["event_ticker"],
            "series_ticker": row["series_ticker"],
            "mutually_exclusive": True,
            "data_source": row["data_source"],
            "ingest_channel": row["ingest_channel"],
            "source_location": row["source_location"].rsplit(":", 1)[0],
        }


def parse_presettlement_candles(doc: RawDocument, ctx: ParseContext) -> Iterator[Row]:
    """Last 1-hour candle before close per market -> ``candlesticks`` (period 60, dollars).

    Args:
        doc: the CSV document.
        ctx: provenance and reject sink.

    Returns:
        Candle rows with only the close bid/ask, volume and open interest.
    """

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("ticker") or "").strip()
        series = series_of(ticker)
        stamp = field_value(row, "snapshot_time_utc")
        if stamp is None:
            raise ParseError("no pre-settlement candle for this market (snapshot_time_utc empty)")
        end = instant(stamp.removesuffix(" UTC").replace(" ", "T") + "+00:00", "snapshot_time_utc")
        yield {
            "market_ticker": ticker,
            "period_minutes": 60,
            "end_period_ts": end,
            "series_ticker": series,
            "candle_tier": "files",
            "yes_bid_close_dollars": cents_text(field_value(row, "bid_cents"), "bid_cents"),
            "yes_ask_close_dollars": cents_text(field_value(row, "ask_cents"), "ask_cents"),
            "volume_fp": count_text(field_value(row, "volume"), "volume"),
            "open_interest_fp": count_text(field_value(row, "open_interest"), "open_interest"),
            **ctx.provenance(where),
        }

    yield from each_row(doc, ctx, "kalshi_files_presettlement_candles", _row)


def parse_hourly_candles(doc: RawDocument, ctx: ParseContext) -> Iterator[Row]:
    """KXHIGHCHI hourly candles (dollars) -> ``candlesticks`` rows (period 60, bar end).

    Args:
        doc: the CSV document.
        ctx: provenance and reject sink.

    Returns:
        Candle rows.
    """

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("market_ticker") or "").strip()
        series = field_value(row, "series") or series_of(ticker)
        yield {
            "market_ticker": ticker,
            "period_minutes": 60,
            "end_period_ts": instant(field_value(row, "ts_utc"), "ts_utc"),
            "series_ticker": series,
            "candle_tier": "files",
            "yes_bid_close_dollars": dollars_text(field_value(row, "yes_bid"), "yes_bid"),
            "yes_ask_close_dollars": dollars_text(field_value(row, "yes_ask"), "yes_ask"),
            "yes_bid_low_dollars": dollars_text(field_value(row, "yes_bid_low"), "yes_bid_low"),
            "yes_ask_high_dollars": dollars_text(field_value(row, "yes_ask_high"), "yes_ask_high"),
            "price_close_dollars": dollars_text(field_value(row, "last"), "last"),
            "price_mean_dollars": dollars_text(field_value(row, "price_mean"), "price_mean"),
            "volume_fp": count_text(field_value(row, "volume"), "volume"),
            "open_interest_fp": count_text(field_value(row, "open_interest"), "open_interest"),
            **ctx.provenance(where),
        }

    yield from each_row(doc, ctx, "kalshi_files_hourly_candles", _row)


def parse_hourly_candle_markets(doc: RawDocument, ctx: ParseContext) -> Iterator[Row]:
    """The markets described by the hourly-candle export (one row per market ticker).

    Args:
        doc: the CSV document.
        ctx: provenance and reject sink.

    Returns:
        Market rows (tier ``files``) with the file's floor/cap strikes, result and close time.
    """
    seen: set[str] = set()

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("market_ticker") or "").strip()
        if ticker in seen:
            return
        parsed = parse_ticker(ticker)
        strike_type = field_value(row, "strike_type")
        bracket_from_ticker(ticker, strike_type)
        result = field_value(row, "result")
        if result not in ("yes", "no", None):
            raise ParseError(f"unknown result {result!r}")
        extra = {
            k: row.get(k)
            for k in ("cli_high", "city", "station", "target_date")
            if row.get(k) is not None
        }
        yield {
            "market_ticker": ticker,
            "event_ticker": field_value(row, "event_ticker") or parsed.event_ticker,
            "series_ticker": field_value(row, "series") or parsed.series_ticker,
            "market_tier": "files",
            "status": "finalized" if result else None,
            "result": result,
            "strike_type": strike_type,
            "floor_strike": number_text(field_value(row, "floor_strike"), "floor_strike"),
            "cap_strike": number_text(field_value(row, "cap_strike"), "cap_strike"),
            "yes_sub_title": field_value(row, "yes_sub_title"),
            "close_time": instant(field_value(row, "close_time_utc"), "close_time_utc"),
            "expiration_value": field_value(row, "expiration_value"),
            "extra_json": canonical_json(extra),
            **ctx.provenance(where),
        }
        # Only once it parsed: a bad first row must not hide the market's good rows.
        seen.add(ticker)

    yield from each_row(doc, ctx, "kalshi_files_hourly_candle_markets", _row)


def parse_trade_candles(doc: RawDocument, ctx: ParseContext) -> Iterator[Row]:
    """5-minute trade candles -> ``candlesticks`` (period 5; ``start`` is the bar start).

    Args:
        doc: the CSV document.
        ctx: provenance and reject sink.

    Returns:
        Candle rows with price OHLC (dollars) and the trade count only.
    """
    period = timedelta(minutes=5)

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("ticker") or "").strip()
        series = series_of(ticker)
        start = instant(field_value(row, "start"), "start")
        if start is None:
            raise ParseError("start missing")
        raw_trades = field_value(row, "count")
        trades = None if raw_trades is None else bounded_whole(raw_trades, "count")
        if trades is not None:
            check_count(trades, "count", raw_trades)
        yield {
            "market_ticker": ticker,
            "period_minutes": 5,
            "end_period_ts": start + period,
            "series_ticker": series,
            "candle_tier": "files",
            "price_open_dollars": cents_text(field_value(row, "open"), "open"),
            "price_high_dollars": cents_text(field_value(row, "high"), "high"),
            "price_low_dollars": cents_text(field_value(row, "low"), "low"),
            "price_close_dollars": cents_text(field_value(row, "close"), "close"),
            "trade_count": trades,
            **ctx.provenance(where),
        }

    yield from each_row(doc, ctx, "kalshi_files_trade_candles", _row)


def file_context(location: str) -> ParseContext:
    """A parse context for the files channel (real data)."""
    return ParseContext(data_source=DATA_SOURCE, ingest_channel=CHANNEL, location=location)


__all__ = [
    "KINDS",
    "KIND_TABLES",
    "events_from_markets",
    "file_context",
    "parse_hourly_candle_markets",
    "parse_hourly_candles",
    "parse_presettlement_candles",
    "parse_settled_ladder",
    "parse_trade_candles",
    "read_document",
    "sniff_kind",
    "sniff_path",
    "sniff_text",
]
