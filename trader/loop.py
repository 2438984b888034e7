"""One tick of the trader (paper or live), with an injected clock and injected feeds.

Per station traded (``--stations``, else the export's stations the registry trades by default):
IEM observations of the current climate day -> running extremes (journaled) -> the
stale-observation breaker -> for each contract row: the event ladder and its books ->
``domain.decision.decide`` with the risk state (stakes scaled by the day's advice) -> the gates
(``trader.gates``: breakers, advice, unresolved orders, daily exposure) -> the decision
journaled -> a trade (GO rows only) journaled as an intent for its broker, then sent by it, its
fills journaled in one transaction; an ``unknown`` outcome stays ``unknown`` until the
reconciliation reads it back. Venue errors trip the backoff breaker and skip the station for
this tick; a journal failure stops trading.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from adapters.kalshi.orderbook import OrderBook, OrderBookFormatError
from adapters.retry import RequestError
from domain import risk
from domain.brackets import Bracket
from domain.climate_day import climate_date as climate_date_of
from domain.climate_day import climate_day_window
from domain.decision import Decision, decide
from domain.decision_input import DecisionInput
from domain.money import MoneyFormatError
from domain.orders import Execution, OrderIntent, OrderStatus
from domain.running_extreme import Observation, RunningExtreme, running_extreme
from domain.stations import Station, station_by_icao
from trader import breakers
from trader.breakers import Breaker, BreakerEvent, BreakerState
from trader.brokers import Broker
from trader.gates import TradeGate
from trader.inputs import ExportError, ThresholdsExport, ThresholdsRow
from trader.journal import DuplicateOrderError, Journal, JournalError, OrderRecord
from trader.journal_state import (
    SettlementRecord,
    breaker_events,
    record_breaker_event,
    record_decision,
    record_heartbeat,
    save_running_extreme,
)
from trader.markets import LadderMarket, SeriesFees, ladder_quote
from trader.payloads import PayloadError
from trader.recovery import apply_execution
from trader.settlement import ClimateSource, settle_due

log = logging.getLogger(__name__)

IEM, KALSHI = "iem", "kalshi"
# Station statuses of a tick that reached no venue, and the venue each names.
UNREACHABLE = {
    "cannot reach IEM": "IEM",
    "iem backoff": "IEM",
    "cannot reach Kalshi": "Kalshi",
    "kalshi backoff": "Kalshi",
}
# Payload trouble is a venue fault like a 5xx: back off, never trade on it.
VENUE_ERRORS = (RequestError, OrderBookFormatError, MoneyFormatError, PayloadError)


class ObservationSource(Protocol):
    """Reports of a station valid in ``[start, end)`` (``trader.feeds.IemObservations``)."""

    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]: ...


class MarketSource(Protocol):
    """Ladders, books and fees (``trader.markets.KalshiMarkets``)."""

    def ladder(self, series_ticker: str, climate_date: date) -> tuple[LadderMarket, ...]: ...

    def book(self, market_ticker: str) -> OrderBook: ...

    def fees(self, series_ticker: str) -> SeriesFees: ...


class ProbabilitySource(Protocol):
    """Model probabilities of YES for the fair-value rule (a replay reads the warehouse's)."""

    def probability(self, market_ticker: str, at: datetime) -> Decimal | None: ...


BrokerFactory = Callable[[SeriesFees], Broker]
"""A broker for a series' fees (paper: ``PaperBroker(markets.book, clock, ...)``)."""


@dataclass
class StationReport:
    """What one tick did at one station (the console prints one line of it)."""

    station_icao: str
    climate_date: date
    extreme: RunningExtreme | None = None
    status: str = "ok"
    decisions: list[Decision] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)


class Stop(StrEnum):
    """Why a tick stopped trading for good (the CLI exits: export 2, journal 3)."""

    EXPORT = "export"
    JOURNAL = "journal"


@dataclass
class TickReport:
    """One tick: when, per station what happened, what settled, and any stop."""

    at: datetime
    stations: list[StationReport] = field(default_factory=list)
    settled: list[SettlementRecord] = field(default_factory=list)
    stopped: str | None = None
    stopped_by: Stop | None = None


class Trader:
    """The trader's state between ticks (the journal holds everything that matters).

    Args:
        export: the validated thresholds export.
        journal: the open journal.
        observations: the IEM feed.
        markets: the Kalshi feed.
        broker_for: builds the broker for a series' fees.
        state: the breaker/risk state (``trader.recovery.restore_breakers`` at start).
        clock: the current aware instant.
        stations: restrict to these ICAO ids (default: every station of the export).
        climate: the CLI source that settles ended days (None: settle elsewhere).
        reload_export: re-reads and validates the export (``trader.inputs.load_thresholds``
            with the start-up conditions); called when the file's modification time changes.
        probabilities: model probabilities per market (None: none known, so fair-value rows
            find no probability and do not trade).
        max_export_age: once the export is older than this, it is re-read (and refused when
            dbt has not rewritten it): a trader left running never trades stale thresholds.
        gate: the checks after the engine (``trader.gates.TradeGate``: breakers, advice,
            unresolved orders, exposure; default: the journal's, no advice).
    """

    def __init__(
        self,
        export: ThresholdsExport,
        journal: Journal,
        observations: ObservationSource,
        markets: MarketSource,
        broker_for: BrokerFactory,
        state: BreakerState,
        clock: Callable[[], datetime],
        stations: tuple[str, ...] | None = None,
        climate: ClimateSource | None = None,
        reload_export: Callable[[datetime], ThresholdsExport] | None = None,
        probabilities: ProbabilitySource | None = None,
        max_export_age: timedelta | None = None,
        gate: TradeGate | None = None,
    ) -> None:
        self.export = export
        self.journal = journal
        self.observations = observations
        self.markets = markets
        self.broker_for = broker_for
        self.state = state
        self.clock = clock
        self.only_stations = stations
        self.climate = climate
        self.reload_export = reload_export
        self.probabilities = probabilities
        self.max_export_age = max_export_age
        self.gate = gate or TradeGate(journal)

    @property
    def stations(self) -> tuple[str, ...]:
        """The stations asked for, else the export's that trade by default (the registry's)."""
        if self.only_stations:
            return self.only_stations
        return tuple(s for s in self.export.stations if station_by_icao(s).trade_by_default)

    def _refresh_export(self, now: datetime) -> None:
        """Re-read the export when dbt has rewritten it or it has grown older than allowed
        (ExportError when it is now unusable)."""
        if self.reload_export is None:
            return
        try:
            changed = self.export.path.stat().st_mtime_ns != self.export.mtime_ns
        except OSError:
            changed = True  # gone: the reload says so in one line
        limit = self.max_export_age
        if changed or (limit is not None and now - self.export.modified_at > limit):
            self.export = self.reload_export(now)
            log.info("thresholds export reloaded: %d rows", len(self.export.rows))

    def _pick_up_resume(self, now: datetime) -> None:
        """A ``python -m trader resume`` run beside this process lifts the halt here too: the
        journal wins, and its last losing-streak event says whether the halt still stands."""
        if not self.state.risk.halted:
            return
        streak = [
            e for e in breaker_events(self.journal) if e.breaker == Breaker.CONSECUTIVE_LOSSES
        ]
        if streak and streak[-1].state_to == "ok":
            self.state, _ = breakers.on_resume(self.state, now)  # already journaled by resume
            log.warning("halt lifted by %s", streak[-1].reason)

    def _apply(self, update: tuple[BreakerState, tuple[BreakerEvent, ...]]) -> None:
        self.state, events = update
        for event in events:
            fields = (event.breaker, event.scope, event.state_from, event.state_to, event.reason)
            log.info("breaker %s %s: %s -> %s (%s)", *fields)
            record_breaker_event(self.journal, event)

    def tick(self) -> TickReport:
        """Run one tick over every station; never raises for a venue error.

        Returns:
            The report; ``stopped`` says why trading stopped (journal unwritable, or an export
            rewritten into an unusable state).
        """
        now = self.clock()
        report = TickReport(now)
        try:
            self._refresh_export(now)
        except ExportError as exc:
            report.stopped = f"thresholds export changed and is unusable: {exc}"
            report.stopped_by = Stop.EXPORT
            log.error("%s", report.stopped)
            return report
        try:
            self._pick_up_resume(now)
            report.settled = self._settle(now)
            for icao in self.stations:
                report.stations.append(self._station_tick(station_by_icao(icao), now))
            record_heartbeat(self.journal, now, "tick", f"{len(report.stations)} stations")
        except JournalError as exc:
            self.state, _ = breakers.on_journal_error(self.state, now, str(exc))
            log.error("journal unwritable, trading stopped: %s", exc)
            report.stopped = f"journal unwritable: {exc}"
            report.stopped_by = Stop.JOURNAL
        return report

    def _settle(self, now: datetime) -> list[SettlementRecord]:
        if self.climate is None or not self.state.venue_ready(IEM, now):
            return []
        try:
            self.state, settled = settle_due(self.journal, self.climate, self.state, now)
        except VENUE_ERRORS as exc:
            self._apply(breakers.on_venue_error(self.state, IEM, now, str(exc)))
            return []
        return settled

    def _station_tick(self, station: Station, now: datetime) -> StationReport:
        day = climate_date_of(now, station)
        out = StationReport(station.icao, day)
        self._apply(breakers.on_new_day(self.state, day, now))
        if not self.state.venue_ready(IEM, now):
            out.status = "iem backoff"
            return out
        start, _ = climate_day_window(day, station)
        try:
            readings = self.observations.fetch(station, start, now)
        except VENUE_ERRORS as exc:
            self._apply(breakers.on_venue_error(self.state, IEM, now, str(exc)))
            out.status = "cannot reach IEM"
            return out
        self._apply(breakers.on_venue_ok(self.state, IEM, now))
        extreme = running_extreme(readings, station, day, now)
        save_running_extreme(self.journal, extreme)
        out.extreme = extreme
        rows = self.export.for_station(station.icao)
        if not rows:
            out.status = "not in the thresholds export"
            return out
        max_age = min(row.thresholds.max_obs_age_minutes for row in rows)
        age = extreme.observation_age_minutes(now)
        self._apply(breakers.on_observation(self.state, station.icao, age, max_age, now))
        for row in rows:
            if not self.state.venue_ready(KALSHI, now):
                out.status = "kalshi backoff"
                break
            try:
                self._contract_tick(station, row, extreme, day, now, out)
            except VENUE_ERRORS as exc:
                self._apply(breakers.on_venue_error(self.state, KALSHI, now, str(exc)))
                out.status = "cannot reach Kalshi"
                break
        blocked = self.state.blocked(station.icao, day)
        if blocked and out.status == "ok":
            out.status = blocked
        return out

    def _contract_tick(
        self,
        station: Station,
        row: ThresholdsRow,
        extreme: RunningExtreme,
        day: date,
        now: datetime,
        out: StationReport,
    ) -> None:
        contract = row.thresholds.contract_type
        series = station.high_series_ticker if contract == "HIGH" else station.low_series_ticker
        fees = self.markets.fees(series)
        markets = self.markets.ladder(series, day)
        ladder = tuple(ladder_quote(m, self.markets.book(m.market_ticker), fees) for m in markets)
        if self.probabilities is not None:
            source = self.probabilities
            ladder = tuple(
                replace(q, probability=source.probability(q.market_ticker, now)) for q in ladder
            )
        self._apply(breakers.on_venue_ok(self.state, KALSHI, now))
        age = extreme.observation_age_minutes(now)
        inp = DecisionInput(
            thresholds=row.thresholds,
            contract_type=contract,
            climate_date=day,
            running_extreme_f=extreme.extreme_for(contract),
            observation_age_minutes=age,
            ladder=ladder,
            now=now,
        )
        advice = self.gate.advice_for(day, now)
        decision = decide(inp, self.gate.risk_for(self.state.risk, station.icao, advice))
        # The journal records what happened: no order, and the gate that stopped it.
        blocked = self.state.blocked(station.icao, day)
        decision = self.gate.check(decision, self.state.risk.limits, blocked, advice)
        decision_id = record_decision(
            self.journal,
            decision,
            decided_at=now,
            verdict=row.thresholds.verdict,
            running_extreme_f=inp.running_extreme_f,
            observation_age_minutes=age,
        )
        out.decisions.append(decision)
        if not decision.is_trade or not row.tradable or decision.price is None:
            return
        (bracket,) = (q.bracket for q in ladder if q.market_ticker == decision.market_ticker)
        self._trade(decision, bracket, decision_id, fees, now, out)

    def _trade(
        self,
        decision: Decision,
        bracket: Bracket,
        decision_id: int,
        fees: SeriesFees,
        now: datetime,
        out: StationReport,
    ) -> None:
        assert decision.market_ticker is not None and decision.price is not None  # a BUY_YES
        intent = OrderIntent(
            climate_date=decision.climate_date,
            station_icao=decision.station_icao,
            contract_type=decision.contract_type,
            market_ticker=decision.market_ticker,
            bracket=bracket,
            count=decision.count,
            limit_price=decision.price,
            created_at=now,
            decision_id=decision_id,
        )
        broker = self.broker_for(fees)
        try:
            # Journaled before the broker sees it, for the broker that will send it.
            order: OrderRecord | None = self.journal.record_intent(intent, broker.name)
        except DuplicateOrderError:
            # Another writer ordered the key: count it traded so later ticks do not retry it.
            log.error("%s already has an order: not sending a second", intent.dedup_key)
            order = None
        self.state = replace(
            self.state, risk=risk.record_trade(self.state.risk, decision.trade_key)
        )
        if order is None:
            return
        try:
            execution = broker.submit(order)
        except VENUE_ERRORS as exc:  # the broker establishes the outcome, never by a resend
            self._apply(breakers.on_venue_error(self.state, KALSHI, now, str(exc)))
            execution = broker.reconcile(order)
        if execution.status is OrderStatus.UNKNOWN:  # a live send that timed out, 5xx, 429...
            self._apply(breakers.on_venue_error(self.state, KALSHI, now, execution.reason))
        apply_execution(self.journal, order, execution, self.clock())
        log.info("order %s: %s", order.client_order_id, execution.reason)
        out.executions.append(execution)
