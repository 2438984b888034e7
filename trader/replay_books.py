"""Recorded top-of-book files as a replay's market source (``--books PATH``).

The recorder's format (``../shared/realdata/kalshi/kxhighny_top_of_book/KXHIGHNY-<date>.csv``):
``timestamp,market_ticker,best_yes_bid,best_no_bid,implied_no_ask,implied_yes_ask``, prices in
cents, one row per change of a market's top of book, the file named after its event. The
timestamps are naive US Pacific clock times (inferred from when the books empty at settlement:
``pipelines.kalshi.top_of_book.infer_top_of_book_zone`` documents the inference; the loader reads them
the same way). A side at 0 is an empty side. The recorder kept no sizes: every level gets
``depth`` contracts (stated on the console), so a fill is what the decision asked for.

At the replay's instant a market's book is its last row at or before it, if not older than
``max_age`` (the backtest's ``gate_quote_max_age_minutes``); the ladder is every market of the
file with such a row.
"""

from __future__ import annotations

import bisect
import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from adapters.kalshi.orderbook import BookLevel, OrderBook
from domain.brackets import BracketError
from domain.money import cents_to_dollars
from domain.running_extreme import Observation
from domain.stations import Station
from domain.tickers import TickerError, bracket_from_ticker, parse_ticker
from trader.markets import LadderMarket, SeriesFees
from trader.replay_warehouse import DEPTH, ReplayDataError, WarehouseDay
from trader.settlement import ClimateReport

RECORDER_ZONE = ZoneInfo("America/Los_Angeles")
MAX_QUOTE_AGE = timedelta(minutes=60)
"""The dbt var ``gate_quote_max_age_minutes``: an older quote is no quote."""
COLUMNS_IN_ORDER = ("timestamp", "market_ticker", "best_yes_bid", "best_no_bid")
COLUMNS = frozenset(COLUMNS_IN_ORDER)
ZERO_TD = timedelta(0)


class BookTick(NamedTuple):
    """One recorded top of book: bids in dollars (None = empty side)."""

    at: datetime
    market_ticker: str
    yes_bid: Decimal | None
    no_bid: Decimal | None


def event_of(path: Path) -> tuple[str, date]:
    """The event ticker a file covers (its name) and the event's climate date.

    Raises:
        ReplayDataError: the name is not an event ticker.
    """
    try:
        parsed = parse_ticker(path.stem)
    except TickerError as exc:
        raise ReplayDataError(f"{path.name}: not a recorded event file ({exc})") from exc
    return parsed.event_ticker, parsed.climate_date


def read_top_of_book(path: Path, zone: ZoneInfo = RECORDER_ZONE) -> list[BookTick]:
    """Every row of a recorder file, timestamps made aware UTC.

    Raises:
        ReplayDataError: the file is missing, not the recorder's format, or a row is unreadable.
    """
    prices: dict[str, Decimal | None] = {}
    # The zone's offset per naive clock hour (it changes on the hour): one lookup per hour,
    # not per row; a naive time is read with fold=0, as replace(tzinfo=zone) reads it.
    offsets: dict[str, timedelta] = {}

    def price(raw: str, line: int) -> Decimal | None:
        if raw not in prices:
            try:
                value = cents_to_dollars(raw.strip(), "bid")
            except ValueError as exc:
                raise ReplayDataError(f"{path.name} line {line}: {exc}") from exc
            prices[raw] = value if value else None  # 0 = empty side
        return prices[raw]

    try:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if not COLUMNS <= set(header):
                raise ReplayDataError(f"{path}: not a top-of-book file (needs {sorted(COLUMNS)})")
            stamp, ticker, yes, no = (header.index(name) for name in COLUMNS_IN_ORDER)
            ticks = []
            for line, row in enumerate(reader, start=2):
                try:
                    text = row[stamp]
                    offset = offsets.get(text[:13])
                    if offset is None:
                        naive = datetime.fromisoformat(text)
                        if naive.tzinfo is not None:
                            raise ValueError(f"timestamp {text!r} carries a zone")
                        offset = naive.replace(tzinfo=zone).utcoffset() or ZERO_TD
                        offsets[text[:13]] = offset
                    ticks.append(
                        BookTick(
                            datetime.fromisoformat(text + "+00:00") - offset,
                            row[ticker],
                            price(row[yes], line),
                            price(row[no], line),
                        )
                    )
                except (ValueError, IndexError) as exc:
                    raise ReplayDataError(f"{path.name} line {line}: {exc}") from exc
    except OSError as exc:
        raise ReplayDataError(f"cannot read top-of-book file {path}: {exc}") from exc
    ticks.sort(key=lambda tick: tick.at)  # stable: same-instant rows keep file order
    return ticks


def _tail_type(strike: Decimal | None, between: list[Decimal]) -> str | None:
    """A ``T`` market's side: the recorder kept no strike_type, but a tail above every
    ``B`` bracket is ``greater`` and one below is ``less`` (``T37`` over ``B36.5``: 38 or more)."""
    if strike is None or not between:
        return None
    if strike > max(between):
        return "greater"
    return "less" if strike < min(between) else None


class RecordedBooks:
    """Ladders and books of one recorded event, as of the replay's clock.

    Args:
        ticks: the recorded rows (``read_top_of_book``).
        clock: the replay's clock.
        depth: contracts assumed behind each recorded bid.
        max_age: the oldest row still a quote.
    """

    def __init__(
        self,
        ticks: list[BookTick],
        clock: Callable[[], datetime],
        depth: Decimal = DEPTH,
        max_age: timedelta = MAX_QUOTE_AGE,
    ) -> None:
        self.clock = clock
        self.depth = depth
        self.max_age = max_age
        self._times: dict[str, list[datetime]] = defaultdict(list)
        self._ticks: dict[str, list[BookTick]] = defaultdict(list)
        for tick in ticks:
            self._times[tick.market_ticker].append(tick.at)
            self._ticks[tick.market_ticker].append(tick)
        self._markets: dict[str, list[LadderMarket]] = defaultdict(list)
        try:
            parsed = {ticker: parse_ticker(ticker) for ticker in sorted(self._ticks)}
        except TickerError as exc:
            raise ReplayDataError(f"recorded market: {exc}") from exc
        days = {p.climate_date for p in parsed.values()}
        if len(days) != 1:
            raise ReplayDataError(f"recorded books span {len(days)} climate dates, not one event")
        (self._day,) = days
        between = [p.strike for p in parsed.values() if p.kind == "B" and p.strike is not None]
        for ticker, market in parsed.items():
            try:
                bracket = bracket_from_ticker(ticker, _tail_type(market.strike, between))
            except (TickerError, BracketError) as exc:
                raise ReplayDataError(f"recorded market {ticker}: {exc}") from exc
            self._markets[market.series_ticker].append(LadderMarket(ticker, bracket))

    def _tick(self, market_ticker: str, at: datetime) -> BookTick | None:
        times = self._times.get(market_ticker)
        if not times:
            return None
        index = bisect.bisect_right(times, at) - 1
        if index < 0 or at - times[index] > self.max_age:
            return None
        return self._ticks[market_ticker][index]

    def ladder(self, series_ticker: str, climate_date: date) -> tuple[LadderMarket, ...]:
        """The recorded markets of the series quoted at the current instant."""
        at = self.clock()
        return tuple(
            m
            for m in self._markets.get(series_ticker.upper(), ())
            if climate_date == self._day and self._tick(m.market_ticker, at) is not None
        )

    def book_at(self, market_ticker: str, at: datetime) -> OrderBook:
        """The market's recorded book at ``at`` (empty when none is fresh)."""
        tick = self._tick(market_ticker, at)
        if tick is None:
            return OrderBook(market_ticker, (), ())
        yes = () if tick.yes_bid is None else (BookLevel(tick.yes_bid, self.depth),)
        no = () if tick.no_bid is None else (BookLevel(tick.no_bid, self.depth),)
        return OrderBook(market_ticker, yes, no)

    def book(self, market_ticker: str) -> OrderBook:
        """The market's recorded book now."""
        return self.book_at(market_ticker, self.clock())

    def fees(self, series_ticker: str) -> SeriesFees:
        """The recorder kept no fee schedule: the standard taker fee."""
        return SeriesFees()

    def probability(self, market_ticker: str, at: datetime) -> Decimal | None:
        """Recorded books carry no model probability."""
        return None


class Weather(Protocol):
    """Observations, CLI reports and the settlement instant (``WarehouseDay``, or simulated)."""

    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]: ...

    def report(self, station: Station, climate_date: date) -> ClimateReport | None: ...

    def settle_at(self) -> datetime: ...


class RecordedDay:
    """A replay source: recorded books for the markets, another source for the weather.

    Args:
        books: the recorded books.
        weather: the weather.
    """

    def __init__(self, books: RecordedBooks, weather: Weather) -> None:
        self.books = books
        self.weather = weather
        self.ladder = books.ladder
        self.book = books.book
        self.book_at = books.book_at
        self.fees = books.fees
        self.probability = books.probability

    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]:
        """The weather source's observations."""
        return self.weather.fetch(station, start, end)

    def report(self, station: Station, climate_date: date) -> ClimateReport | None:
        """The weather source's CLI report."""
        return self.weather.report(station, climate_date)

    def settle_at(self) -> datetime:
        """The weather source's settlement instant."""
        return self.weather.settle_at()


def recorded_source(
    path: Path, warehouse: Path, data_source: str
) -> Callable[[Callable[[], datetime], tuple[str, ...]], RecordedDay]:
    """A ``run_replay`` source factory: the file's books, the warehouse's weather."""
    ticks = read_top_of_book(path)
    _, day = event_of(path)

    def build(clock: Callable[[], datetime], stations: tuple[str, ...]) -> RecordedDay:
        weather = WarehouseDay(warehouse, data_source, day, stations, clock)
        return RecordedDay(RecordedBooks(ticks, clock), weather)

    return build
