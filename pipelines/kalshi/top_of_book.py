"""Top-of-book logs (``kxhighny_top_of_book/*.csv``) -> ``orderbook_snapshots``.

Each line gives level 0 of each side (size unknown). The recorder wrote naive clock times; their
zone is inferred from when the books empty at settlement, see :func:`infer_top_of_book_zone`.
A log's event comes from its name (``KXHIGHNY-25DEC05.csv``, or the recorder's own
``market_data_KXHIGHNY-25DEC05.csv``) or else from its rows; a log naming none is a reject.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.climate_day import fallback_close_at
from domain.money import cents_text
from domain.stations import UnknownStationError, station_by_series
from domain.tickers import TickerError, parse_ticker
from pipelines.documents import RawDocument
from pipelines.kalshi.csv_rows import data_rows, each_row, field_value, series_of
from pipelines.kalshi.fields import ParseContext, ParseError, registered_series
from pipelines.kalshi.tables import Row

log = logging.getLogger(__name__)

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
    for _, _, row, _ in data_rows(doc):
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
    return field_value(row, "best_yes_bid") in empty and field_value(row, "best_no_bid") in empty


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


# The recorder names its logs market_data_<EVENT>.csv.
_RECORDER_PREFIX = "market_data_"


def event_of_top_of_book(doc: RawDocument) -> str | None:
    """The event ticker a top-of-book log covers, or None when nothing names one.

    Args:
        doc: the CSV document.

    Returns:
        The event of its file name (``KXHIGHNY-25DEC05.csv``, ``market_data_KXHIGHNY-25DEC05.csv``),
        else of its first row whose market ticker parses.
    """
    try:
        return parse_ticker(Path(doc.location).stem.removeprefix(_RECORDER_PREFIX)).event_ticker
    except TickerError:
        pass
    for _, _, row, _ in data_rows(doc):
        if row is None:
            continue
        try:
            return parse_ticker(row.get("market_ticker") or "").event_ticker
        except TickerError:
            continue
    return None


def zone_of_books(docs: list[RawDocument]) -> str:
    """The zone of a set of top-of-book logs' naive timestamps (:func:`infer_top_of_book_zone`
    over the time each log's book first empties); the default when there are no logs."""
    if not docs:
        return DEFAULT_TOP_OF_BOOK_ZONE
    empties = {}
    for doc in docs:
        event = event_of_top_of_book(doc)
        emptied = first_empty_book(doc) if event is not None else None
        if event is not None and emptied is not None:
            empties[event] = emptied
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
        Two rows per log line: the best YES bid and the best NO bid (0 = empty side); none
        (one reject) for a log whose name and rows name no event.
    """
    tz = ZoneInfo(zone)
    if event_of_top_of_book(doc) is None:
        name = Path(doc.location).name
        reason = f"top-of-book log {name!r}: no event ticker in its name or its rows"
        ctx.reject("kalshi_files_top_of_book", reason, name, doc.location)
        return

    def _row(row: dict[str, str], where: str) -> Iterator[Row]:
        ticker = (row.get("market_ticker") or "").strip()
        registered_series(series_of(ticker))  # a well-formed ticker of a registry series
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
                "price_dollars": cents_text(field_value(row, column), column),
                "size_fp": None,
                **ctx.provenance(where),
            }

    yield from each_row(doc, ctx, "kalshi_files_top_of_book", _row)


__all__ = [
    "CANDIDATE_ZONES",
    "DEFAULT_TOP_OF_BOOK_ZONE",
    "event_of_top_of_book",
    "first_empty_book",
    "infer_top_of_book_zone",
    "parse_top_of_book",
    "zone_fits",
    "zone_of_books",
]
