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
* top-of-book logs (``kxhighny_top_of_book/*.csv``) -> ``orderbook_snapshots`` (level 0 of
  each side, size unknown); the naive timestamps' zone is inferred, see
  :func:`infer_top_of_book_zone`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.bounds import BoundsError, bounded_whole, check_count
from domain.brackets import BracketError
from domain.climate_day import fallback_close_at
from domain.money import (
    MoneyFormatError,
    cents_text,
    count_text,
    dollars_text,
    number_text,
)
from domain.stations import UnknownStationError, station_by_series
from domain.tickers import TickerError, bracket_from_ticker, parse_ticker
from pipelines.documents import RawDocument, csv_lines
from pipelines.kalshi.parsers import ParseContext, ParseError, canonical_json, instant
from pipelines.kalshi.tables import Row

log = logging.getLogger(__name__)

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

_NULLS = frozenset({"", "nan", "NaN", "NAN", "None", "null"})

# The top-of-book recorder wrote naive clock times without a zone. Inference (run on the
# 2025-12 files by infer_top_of_book_zone, asserted in tests): every market's book empties at
# once at 04:01 recorded time the morning after the climate day (KXHIGHNY-25DEC05 and -25DEC06).
# Books clear at settlement, which Kalshi runs at the first 7 or 8 AM ET after the CLI is out
# (reference §12), and necessarily after the 23:59 LST close (04:59Z). Read as UTC, 04:01 is
# 23:01 EST *before* the close; as ET, CT or MT it is 04:01/05:01/06:01 ET, not an expiry hour.
# Only US Pacific fits: 04:01 PST = 12:01Z = 07:01 EST. It also explains the daily recorder
# start at 07:00 (= 10:00 ET, when the next day's ladder opens with identical seed quotes on all
# six brackets) and the last quote change at 20:47 (= 23:47 ET, minutes before the close).
DEFAULT_TOP_OF_BOOK_ZONE = "America/Los_Angeles"
CANDIDATE_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    DEFAULT_TOP_OF_BOOK_ZONE,
)
_ET = ZoneInfo("America/New_York")
EXPIRY_HOURS_ET = (7, 8)


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


def _rows(doc: RawDocument) -> Iterator[tuple[int, str, dict[str, str] | None, str | None]]:
    """(line number, raw line, row dict, None) for every data line of a CSV document, or
    (line number, raw line, None, reason) for a line that is not a row of the header's shape.
    """
    header: list[str] | None = None
    for line in csv_lines(doc.text):
        if line.values is None:
            yield line.number, line.raw, None, line.error
        elif header is None:
            header = [name.strip().lstrip("\ufeff") for name in line.values]
        elif len(line.values) != len(header):
            reason = f"garbled row: {len(line.values)} fields, header has {len(header)}"
            yield line.number, line.raw, None, reason
        else:
            yield line.number, line.raw, dict(zip(header, line.values, strict=True)), None


def _val(row: dict[str, str], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    value = value.strip()
    return None if value in _NULLS else value


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


def _location(doc: RawDocument, line: int) -> str:
    return f"{doc.location}:{line}"


# What a bad CSV row raises; each becomes a reject naming the file and line.
_ROW_ERRORS = (
    TickerError,
    BracketError,
    ParseError,
    MoneyFormatError,
    BoundsError,
    UnknownStationError,
    ArithmeticError,
)


def _each_row(
    doc: RawDocument,
    ctx: ParseContext,
    source_name: str,
    parse: Callable[[dict[str, str], str], Iterator[Row]],
) -> Iterator[Row]:
    """The rows ``parse`` makes of each CSV row (given the row and its ``file:line``); a line
    that is not a row, or a row that raises one of :data:`_ROW_ERRORS`, becomes a reject.
    A row's output rows are made in full before any is yielded: all of them or a reject."""
    for line, raw, row, error in _rows(doc):
        where = _location(doc, line)
        if row is None:
            ctx.reject(source_name, error or "unreadable line", raw, where)
            continue
        try:
            made = list(parse(row, where))
        except _ROW_ERRORS as exc:
            ctx.reject(source_name, str(exc), raw, where)
            continue
        yield from made


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
        strike_type = _val(row, "strike_type")
        parsed = parse_ticker(ticker)
        floor, cap = _strikes_from_ticker(ticker, strike_type)
        event = _val(row, "event_ticker")
        if event and event != parsed.event_ticker:
            raise TickerError(f"event_ticker {event!r} does not match ticker {ticker!r}")
        result = _val(row, "result")
        if result not in ("yes", "no"):
            raise ParseError(f"unknown result {result!r}")
        settlement = _val(row, "settlement_value")
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
            "volume_fp": count_text(_val(row, "volume"), "volume"),
            "yes_bid_dollars": dollars_text(_val(row, "bid_price"), "bid_price"),
            "yes_ask_dollars": dollars_text(_val(row, "ask_price"), "ask_price"),
            "extra_json": canonical_json(extra),
            **ctx.provenance(where),
        }

    yield from _each_row(doc, ctx, "kalshi_files_settled_ladder", _row)


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


@lru_cache(maxsize=65536)
def _series_of(ticker: str) -> str:
    # Exports repeat each ticker on many rows; a malformed one raises (never cached).
    return parse_ticker(ticker).series_ticker


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
        series = _series_of(ticker)
        stamp = _val(row, "snapshot_time_utc")
        if stamp is None:
            raise ParseError("no pre-settlement candle for this market (snapshot_time_utc empty)")
        end = instant(stamp.removesuffix(" UTC").replace(" ", "T") + "+00:00", "snapshot_time_utc")
        yield {
            "market_ticker": ticker,
            "period_minutes": 60,
            "end_period_ts": end,
            "series_ticker": series,
            "candle_tier": "files",
            "yes_bid_close_dollars": cents_text(_val(row, "bid_cents"), "bid_cents"),
            "yes_ask_close_dollars": cents_text(_val(row, "ask_cents"), "ask_cents"),
            "volume_fp": count_text(_val(row, "volume"), "volume"),
            "open_interest_fp": count_text(_val(row, "open_interest"), "open_interest"),
            **ctx.provenance(where),
        }

    yield from _each_row(doc, ctx, "kalshi_files_presettlement_candles", _row)


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
        series = _val(row, "series") or _series_of(ticker)
        yield {
            "market_ticker": ticker,
            "period_minutes": 60,
            "end_period_ts": instant(_val(row, "ts_utc"), "ts_utc"),
            "series_ticker": series,
            "candle_tier": "files",
            "yes_bid_close_dollars": dollars_text(_val(row, "yes_bid"), "yes_bid"),
            "yes_ask_close_dollars": dollars_text(_val(row, "yes_ask"), "yes_ask"),
            "yes_bid_low_dollars": dollars_text(_val(row, "yes_bid_low"), "yes_bid_low"),
            "yes_ask_high_dollars": dollars_text(_val(row, "yes_ask_high"), "yes_ask_high"),
            "price_close_dollars": dollars_text(_val(row, "last"), "last"),
            "price_mean_dollars": dollars_text(_val(row, "price_mean"), "price_mean"),
            "volume_fp": count_text(_val(row, "volume"), "volume"),
            "open_interest_fp": count_text(_val(row, "open_interest"), "open_interest"),
            **ctx.provenance(where),
        }

    yield from _each_row(doc, ctx, "kalshi_files_hourly_candles", _row)


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
        strike_type = _val(row, "strike_type")
        bracket_from_ticker(ticker, strike_type)
        result = _val(row, "result")
        if result not in ("yes", "no", None):
            raise ParseError(f"unknown result {result!r}")
        extra = {
            k: row.get(k)
            for k in ("cli_high", "city", "station", "target_date")
            if row.get(k) is not None
        }
        yield {
            "market_ticker": ticker,
            "event_ticker": _val(row, "event_ticker") or parsed.event_ticker,
            "series_ticker": _val(row, "series") or parsed.series_ticker,
            "market_tier": "files",
            "status": "finalized" if result else None,
            "result": result,
            "strike_type": strike_type,
            "floor_strike": number_text(_val(row, "floor_strike"), "floor_strike"),
            "cap_strike": number_text(_val(row, "cap_strike"), "cap_strike"),
            "yes_sub_title": _val(row, "yes_sub_title"),
            "close_time": instant(_val(row, "close_time_utc"), "close_time_utc"),
            "expiration_value": _val(row, "expiration_value"),
            "extra_json": canonical_json(extra),
            **ctx.provenance(where),
        }
        # Only once it parsed: a bad first row must not hide the market's good rows.
        seen.add(ticker)

    yield from _each_row(doc, ctx, "kalshi_files_hourly_candle_markets", _row)


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
        series = _series_of(ticker)
        start = instant(_val(row, "start"), "start")
        if start is None:
            raise ParseError("start missing")
        raw_trades = _val(row, "count")
        trades = None if raw_trades is None else bounded_whole(raw_trades, "count")
        if trades is not None:
            check_count(trades, "count", raw_trades)
        yield {
            "market_ticker": ticker,
            "period_minutes": 5,
            "end_period_ts": start + period,
            "series_ticker": series,
            "candle_tier": "files",
            "price_open_dollars": cents_text(_val(row, "open"), "open"),
            "price_high_dollars": cents_text(_val(row, "high"), "high"),
            "price_low_dollars": cents_text(_val(row, "low"), "low"),
            "price_close_dollars": cents_text(_val(row, "close"), "close"),
            "trade_count": trades,
            **ctx.provenance(where),
        }

    yield from _each_row(doc, ctx, "kalshi_files_trade_candles", _row)


def _market_close_utc(event_ticker: str) -> datetime:
    """23:59 local standard time of the climate day, in UTC (the observed close)."""
    parsed = parse_ticker(event_ticker)
    station, _ = station_by_series(parsed.series_ticker)
    return fallback_close_at(parsed.climate_date, station)


def first_empty_book(doc: RawDocument) -> datetime | None:
    """The first naive time at which a top-of-book log shows an empty book (bids 0 and 0).

    Lines that do not parse are skipped here (:func:`parse_top_of_book` rejects them).
    """
    first: datetime | None = None
    for _, _, row, _ in _rows(doc):
        if row is None or not _is_empty_book(row):
            continue
        try:
            stamp = datetime.fromisoformat((row.get("timestamp") or "").strip())
        except ValueError:
            continue
        if stamp.tzinfo is None and (first is None or stamp < first):
            first = stamp
    return first


def _is_empty_book(row: dict[str, str]) -> bool:
    empty = ("0", "0.0")
    return _val(row, "best_yes_bid") in empty and _val(row, "best_no_bid") in empty


def zone_fits(zone: str, event_ticker: str, emptied_at_naive: datetime) -> bool:
    """Does reading ``emptied_at_naive`` in ``zone`` put the book clearing at a settlement?

    Settlement (when resting orders vanish) comes after the close (23:59 LST) and at 7 or 8 AM
    ET (reference §12).
    """
    instant_utc = emptied_at_naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return (
        instant_utc > _market_close_utc(event_ticker)
        and instant_utc.astimezone(_ET).hour in EXPIRY_HOURS_ET
    )


def infer_top_of_book_zone(empties: dict[str, datetime]) -> str:
    """Infer the recorder's zone from when books empty after the close.

    Args:
        empties: event ticker -> first naive time at which its book was empty.

    Returns:
        The one candidate zone consistent with every observation, else the default (logged).
    """
    empties = {event: at for event, at in empties.items() if _usable_evidence(event, at)}
    fitting = [
        zone
        for zone in CANDIDATE_ZONES
        if empties and all(zone_fits(zone, event, at) for event, at in empties.items())
    ]
    if len(fitting) == 1:
        return fitting[0]
    log.warning(
        "top-of-book zone not inferable from %d emptied books (fits: %s); using %s",
        len(empties),
        fitting,
        DEFAULT_TOP_OF_BOOK_ZONE,
    )
    return DEFAULT_TOP_OF_BOOK_ZONE


def _usable_evidence(event_ticker: str, emptied_at_naive: datetime) -> bool:
    """Can this emptied book vote on the zone? Its file must name a known station's event and
    its time must be convertible from every candidate zone (a hostile file is not evidence)."""
    try:
        _market_close_utc(event_ticker)
        for zone in CANDIDATE_ZONES:
            emptied_at_naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    except (TickerError, UnknownStationError, OverflowError, ValueError):
        return False
    return True


def event_of_top_of_book(doc: RawDocument) -> str:
    """The event ticker a top-of-book log covers (its file name, ``KXHIGHNY-25DEC05.csv``)."""
    return Path(doc.location).stem


def zone_of_books(docs: list[RawDocument]) -> str:
    """The zone of a set of top-of-book logs' naive timestamps (:func:`infer_top_of_book_zone`
    over the time each log's book first empties); the default when there are no logs."""
    if not docs:
        return DEFAULT_TOP_OF_BOOK_ZONE
    empties = {}
    for doc in docs:
        emptied = first_empty_book(doc)
        if emptied is not None:
            empties[event_of_top_of_book(doc)] = emptied
    zone = infer_top_of_book_zone(empties)
    log.info("top-of-book timestamps read as %s (inferred from %d books)", zone, len(empties))
    return zone


def parse_top_of_book(doc: RawDocument, ctx: ParseContext, zone: str) -> Iterator[Row]:
    """Top-of-book log -> ``orderbook_snapshots`` (level 0 per side, size unknown).

    Args:
        doc: the CSV document.
        ctx: provenance and reject sink.
        zone: the IANA zone of the naive timestamps (see :func:`infer_top_of_book_zone`).

    Returns:
        Two rows per log line: the best YES bid and the best NO bid (0 = empty side).
    """
    tz = ZoneInfo(zone)

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("market_ticker") or "").strip()
        _series_of(ticker)  # validates the ticker
        stamp = row.get("timestamp") or ""
        try:
            naive = datetime.fromisoformat(stamp.strip())
        except ValueError as exc:
            raise ParseError(f"timestamp not ISO-8601: {stamp!r}") from exc
        if naive.tzinfo is not None:
            raise ParseError(f"timestamp unexpectedly carries a zone: {stamp!r}")
        at = naive.replace(tzinfo=tz).astimezone(UTC)
        for side, column in (("yes", "best_yes_bid"), ("no", "best_no_bid")):
            yield {
                "market_ticker": ticker,
                "snapshot_at": at,
                "book_side": side,
                "level": 0,
                "price_dollars": cents_text(_val(row, column), column),
                "size_fp": None,
                **ctx.provenance(where),
            }

    yield from _each_row(doc, ctx, "kalshi_files_top_of_book", _row)


def file_context(location: str) -> ParseContext:
    """A parse context for the files channel (real data)."""
    return ParseContext(data_source=DATA_SOURCE, ingest_channel=CHANNEL, location=location)


__all__ = [
    "DEFAULT_TOP_OF_BOOK_ZONE",
    "KINDS",
    "KIND_TABLES",
    "event_of_top_of_book",
    "events_from_markets",
    "file_context",
    "first_empty_book",
    "infer_top_of_book_zone",
    "parse_hourly_candle_markets",
    "parse_hourly_candles",
    "parse_presettlement_candles",
    "parse_settled_ladder",
    "parse_top_of_book",
    "parse_trade_candles",
    "read_document",
    "sniff_kind",
    "sniff_path",
    "sniff_text",
    "zone_fits",
    "zone_of_books",
]
