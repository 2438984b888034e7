"""``python -m trader replay``: the live loop (``trader.loop.Trader``) over stored inputs.

The same ``Trader.tick`` the paper trader runs, with a simulated clock stepping the backtest's
15-minute checkpoint grid (``int_running_extremes``: minutes 15..1425 after each station's
local-standard-time midnight; at minute 1440 the loop's clock is already on the next climate
day), fed by ``trader.replay_warehouse`` (or recorded books, ``trader.replay_books``), journaling
into its own journal, then settling the day's paper orders on the stored CLI.

With ``as_backtest`` (``--compare-backtest``) the replay decides as ``fct_backtest_trades`` does:
every thresholds row trades as GO, one ``Trader`` per risk book of the backtest's scope, each
book starting from the risk state the backtest's book carried into the day
(``trader.replay_backtest``). Without it, real verdicts and one risk state, like the live trader.

A killed replay restarts where its journal stopped: the journal's state is restored, a crashed
intent is executed against the book of its own instant (``ReplayBroker``), and the ticks resume
at the last journaled tick's instant (re-running it is harmless: a key already ordered cannot
be ordered again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from adapters.kalshi.orderbook import OrderBook
from domain.climate_day import climate_day_window
from domain.orders import Execution, OrderStatus
from domain.risk import RiskLimits
from domain.stations import Station, station_by_icao
from domain.tickers import parse_ticker
from trader.breakers import BreakerState, on_settlement
from trader.brokers import PaperBroker
from trader.inputs import SIMULATED, ThresholdsExport, ThresholdsRow, load_thresholds
from trader.journal import Journal, OrderRecord
from trader.journal_state import SettlementRecord, last_tick_at, record_heartbeat, settlements
from trader.loop import MarketSource, ObservationSource, ProbabilitySource, Trader
from trader.markets import SeriesFees
from trader.recovery import reconcile_intents, restore_breakers
from trader.replay_backtest import (
    DATA_SOURCE,
    BacktestTrade,
    BookId,
    CarryIn,
    backtest_trades,
    book_of,
    carried_state,
    carry_ins,
    risk_scope,
    test_period,
)
from trader.replay_warehouse import ReplayDataError, WarehouseDay
from trader.settlement import ClimateReport, settle_due

CHECKPOINT_STEP = timedelta(minutes=15)
# Larger than any day's stakes: the daily exposure cap never binds.
NO_EXPOSURE_CAP = Decimal("1000000000")
LAST_CHECKPOINT_MINUTE = 1425


class ReplayClock:
    """The simulated clock: the replay sets it, the loop, sources and broker read it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class ReplayBroker(PaperBroker):
    """The paper broker over stored books; a crashed intent executes on its own instant's book.

    In a replay the venue is the record: the book at any instant is known, so an intent a kill
    left unexecuted is filled exactly as the uninterrupted run filled it (never on a later book).

    Args:
        books: the current book of a market (the replay's clock).
        book_at: the book of a market at a given instant.
        clock: the replay's clock.
        fees: the series' fees.
    """

    def __init__(
        self,
        books: Callable[[str], OrderBook],
        book_at: Callable[[str, datetime], OrderBook],
        clock: Callable[[], datetime],
        fees: SeriesFees,
    ) -> None:
        super().__init__(books, clock, fees.fee_type, fees.fee_multiplier)
        self.book_at = book_at

    def reconcile(self, order: OrderRecord) -> Execution:
        """Execute the intent on the book of its creation instant."""
        if order.status is not OrderStatus.INTENT:
            return super().reconcile(order)
        at = order.created_at
        then = PaperBroker(
            lambda ticker: self.book_at(ticker, at),
            lambda: at,
            self.fee_type,
            self.fee_multiplier,
        )
        return then.submit(order)


class ReplaySource(ObservationSource, MarketSource, ProbabilitySource, Protocol):
    """What a replay reads: observations, ladders, books, fees, probabilities, CLI reports."""

    def book_at(self, market_ticker: str, at: datetime) -> OrderBook: ...

    def report(self, station: Station, climate_date: date) -> ClimateReport | None: ...

    def settle_at(self) -> datetime: ...


@dataclass(frozen=True)
class ReplayConfig:
    """One replay.

    Attributes:
        day: the climate date.
        warehouse: the DuckDB file (read-only).
        export: the thresholds export.
        journal: the replay's journal (not the live trader's).
        stations: restrict to these ICAO ids (default: the export's).
        simulated: the sample (``--simulated``): simulated rows and data.
        as_backtest: decide as ``fct_backtest_trades`` (every row GO, its books and carry-in).
        max_export_age: the oldest export accepted.
    """

    day: date
    warehouse: Path
    export: Path
    journal: Path
    stations: tuple[str, ...] | None = None
    simulated: bool = False
    as_backtest: bool = False
    max_export_age: timedelta = timedelta(days=3650)

    @property
    def data_source(self) -> str:
        """``simulated`` or ``real``."""
        return SIMULATED if self.simulated else "real"


@dataclass
class Book:
    """One risk book's trader and its tick instants."""

    book: BookId
    trader: Trader
    instants: tuple[datetime, ...]
    pending: list[CarryIn] = field(default_factory=list)


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did."""

    day: date
    stations: tuple[str, ...]
    scope: str
    ticks: int
    resumed_at: datetime | None
    orders: tuple[OrderRecord, ...]
    settlements: tuple[SettlementRecord, ...]
    backtest: tuple[BacktestTrade, ...]
    journal: Path


def checkpoint_instants(day: date, station_icao: str) -> tuple[datetime, ...]:
    """The 15-minute checkpoints of a station's climate day the loop decides at (15..1425)."""
    start, _ = climate_day_window(day, station_by_icao(station_icao))
    count = LAST_CHECKPOINT_MINUTE // 15
    return tuple(start + CHECKPOINT_STEP * k for k in range(1, count + 1))


def _rows(
    export: ThresholdsExport, stations: tuple[str, ...], as_backtest: bool
) -> list[ThresholdsRow]:
    rows = [row for row in export.rows if row.thresholds.station_icao in stations]
    if not as_backtest:
        return rows
    # The backtest sends every row to the engine as GO (domain.backtest): so does the comparison.
    return [replace(row, thresholds=replace(row.thresholds, verdict="GO")) for row in rows]


def _check_journal(journal: Journal, day: date) -> None:
    other = sorted({o.climate_date for o in journal.orders()} - {day})
    if other:
        raise ReplayDataError(
            f"journal {journal.path} holds a replay of {other[0]}: use a fresh --journal"
        )


def _books(
    config: ReplayConfig,
    export: ThresholdsExport,
    rows: list[ThresholdsRow],
    scope: str,
    source: ReplaySource,
    journal: Journal,
    clock: ReplayClock,
    carried: dict[BookId, list[CarryIn]],
    limits: RiskLimits,
) -> list[Book]:
    grouped: dict[BookId, list[ThresholdsRow]] = {}
    for row in rows:
        th = row.thresholds
        grouped.setdefault(book_of(th.station_icao, th.contract_type, scope), []).append(row)

    def broker_for(fees: SeriesFees) -> ReplayBroker:
        return ReplayBroker(source.book, source.book_at, clock, fees)

    books = []
    for book_id, book_rows in grouped.items():
        stations = tuple(dict.fromkeys(r.thresholds.station_icao for r in book_rows))
        instants = sorted({at for s in stations for at in checkpoint_instants(config.day, s)})
        state = restore_breakers(journal, limits)
        entries = carried.get(book_id, [])
        start = clock()
        seeded = carried_state(entries, limits, start)
        risk = replace(seeded, traded=seeded.traded | state.risk.traded)
        trader = Trader(
            replace(export, rows=tuple(book_rows)),
            journal,
            source,
            source,
            broker_for,
            replace(state, risk=risk),
            clock,
            stations,
            probabilities=source,
        )
        pending = [entry for entry in entries if entry.settled_at > start]
        books.append(Book(book_id, trader, tuple(instants), pending))
    return books


def _schedule(books: list[Book], resume: datetime | None) -> Iterator[tuple[datetime, Book]]:
    steps = sorted((at, index) for index, book in enumerate(books) for at in book.instants)
    for at, index in steps:
        if resume is None or at >= resume:
            yield at, books[index]


def _reconcile(journal: Journal, source: ReplaySource, clock: ReplayClock) -> None:
    """Execute the intent a kill left unexecuted, at its own instant (a replay's loop runs one
    order at a time, so there is at most one)."""
    for order in journal.orders():
        if order.status is OrderStatus.INTENT:
            clock.at = order.created_at
            fees = source.fees(parse_ticker(order.market_ticker).series_ticker)
            broker = ReplayBroker(source.book, source.book_at, clock, fees)
            reconcile_intents(journal, broker, order.created_at)


def run_replay(
    config: ReplayConfig,
    source_for: Callable[[ReplayClock, tuple[str, ...]], ReplaySource] | None = None,
) -> ReplayResult:
    """Replay one climate day through the loop; resume a journal a kill interrupted.

    Args:
        config: the replay.
        source_for: builds the stored inputs for the clock and stations (default: the
            warehouse, ``WarehouseDay``).

    Returns:
        The result (orders and settlements read back from the journal).

    Raises:
        trader.inputs.ExportError, ReplayDataError, trader.journal.JournalError: one line each.
    """
    export = load_thresholds(
        config.export,
        datetime.now(UTC),
        max_age=config.max_export_age,
        allow_simulated=config.simulated,
    )
    stations = config.stations or export.stations
    missing = [s for s in stations if not export.for_station(s)]
    if missing:
        raise ReplayDataError(f"no thresholds row for {', '.join(missing)} in {config.export}")
    rows = _rows(export, stations, config.as_backtest)
    first = min(checkpoint_instants(config.day, s)[0] for s in stations)
    clock = ReplayClock(first)
    if source_for is None:
        day_inputs = WarehouseDay(config.warehouse, config.data_source, config.day, stations, clock)
        if not day_inputs.quote_count:
            raise ReplayDataError(
                f"the warehouse holds no quotes (int_thresholds_engine_inputs) for {config.day}"
            )
        source: ReplaySource = day_inputs
    else:
        source = source_for(clock, stations)
    trades: list[BacktestTrade] = []
    if config.as_backtest:
        period = test_period(config.warehouse, config.data_source)
        if period is None or not period[0] <= config.day <= period[1]:
            span = "none" if period is None else f"{period[0]}..{period[1]}"
            raise ReplayDataError(
                f"{config.day} is outside the backtest's test period ({span}): nothing to compare"
            )
        trades = backtest_trades(config.warehouse, config.data_source, config.day)
    scope = risk_scope(trades) if config.as_backtest else DATA_SOURCE
    carried = carry_ins(trades, config.day, scope) if config.as_backtest else {}
    # The backtest (domain.backtest) applies no daily exposure cap: a comparison with it lifts
    # the trader's, so every other rule is compared as it is (docs/trader.md, "Replay").
    limits = RiskLimits(max_daily_exposure=NO_EXPOSURE_CAP) if config.as_backtest else RiskLimits()
    with Journal(config.journal) as journal:
        # A replay's journal is its own scratch file: WAL with NORMAL sync survives kill -9
        # (the chaos test) though not a power cut, and spares a disk flush per decision.
        journal.query("PRAGMA synchronous=NORMAL")
        _check_journal(journal, config.day)
        resume = last_tick_at(journal)
        _reconcile(journal, source, clock)
        clock.at = resume or first
        record_heartbeat(journal, clock(), "start", f"replay {config.day} ({scope})")
        books = _books(config, export, rows, scope, source, journal, clock, carried, limits)
        ticks = 0
        for at, book in _schedule(books, resume):
            clock.at = at
            while book.pending and book.pending[0].settled_at <= at:
                entry = book.pending.pop(0)
                book.trader.state, _ = on_settlement(
                    book.trader.state, entry.pnl, entry.risk_day, at
                )
            report = book.trader.tick()
            ticks += 1
            if report.stopped:
                raise ReplayDataError(f"replay stopped at {at}: {report.stopped}")
        settled_at = source.settle_at()
        clock.at = settled_at
        settle_due(
            journal, source.report, BreakerState(risk=books[0].trader.state.risk), settled_at
        )
        record_heartbeat(journal, settled_at, "replay", f"{config.day} done: {ticks} ticks")
        orders = tuple(o for o in journal.orders() if o.climate_date == config.day)
        done = tuple(settlements(journal))
    day_trades = tuple(
        t for t in trades if t.climate_date == config.day and t.station_icao in stations
    )
    return ReplayResult(
        config.day, stations, scope, ticks, resume, orders, done, day_trades, config.journal
    )
