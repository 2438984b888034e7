"""Running the trader from the CLI: build the paper or live session, then tick.

A tick runs every ``--interval-minutes``, aligned to the clock; ``--once`` runs one. For tests
only, a hidden simulated clock (``--clock-start/--clock-end/--clock-step-minutes``) runs the
ticks of a whole day back to back; a restarted process resumes at its journal's last tick
(re-running that tick is harmless: a key already ordered cannot be ordered again). In live mode
the reconciliation (``trader.reconcile``) runs before the first tick and then every
``--reconcile-minutes`` of the trader's clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from adapters.iem.client import IemClient
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.signing import KalshiSigner
from domain.risk import RiskLimits
from trader.advice_gate import advice_loader
from trader.alert_feed import JournalAlerts
from trader.alerts import Notifier
from trader.brokers import PaperBroker
from trader.cli_common import book_signer, console, fail
from trader.console import station_line
from trader.feeds import IemObservations
from trader.gates import ExchangeExposure, TradeGate
from trader.inputs import ExportError, ThresholdsExport, load_thresholds
from trader.journal import Journal, JournalError
from trader.journal_state import SettlementRecord, last_tick_at, record_heartbeat
from trader.loop import UNREACHABLE, Stop, Trader
from trader.markets import KalshiMarkets, SeriesFees
from trader.recovery import reconcile_intents, restore_breakers
from trader.replay import ReplayClock
from trader.settlement import IemClimate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TestClock:
    """TESTS ONLY: a simulated day's tick instants, ``start`` to ``end`` by ``step``."""

    start: datetime
    end: datetime
    step: timedelta

    def instants(self, resume: datetime | None) -> list[datetime]:
        """The instants still to run (from ``resume``, the journal's last tick, when inside)."""
        out, at = [], self.start
        while at <= self.end:
            if resume is None or at >= resume:
                out.append(at)
            at += self.step
        return out


@dataclass(frozen=True)
class TradeOptions:
    """What the ``python -m trader`` options ask for (see ``trader.cli.main``)."""

    once: bool
    stations: tuple[str, ...] | None
    export: Path
    simulated: bool
    max_export_age: timedelta
    interval_minutes: int
    verbose: bool
    limits: RiskLimits
    block_all_on_unknown: bool
    reconcile_every: timedelta
    missing_after: int
    fill_or_kill: bool
    test_clock: TestClock | None
    advice_dir: Path

    @property
    def paced(self) -> bool:
        """Requests are paced (IEM's interval, Kalshi's rate limit) unless a test clock runs
        the ticks back to back against fake servers."""
        return self.test_clock is None


def iem_client(options: TradeOptions) -> IemClient:
    """One attempt per request: the trader's own backoff breaker spaces the retries."""
    if options.paced:
        return IemClient(max_attempts=1)
    return IemClient(max_attempts=1, min_interval=0)


def kalshi_client(
    options: TradeOptions, base_url: str | None, signer: KalshiSigner
) -> KalshiClient:
    """One attempt per request, like ``iem_client``; paced to Kalshi's basic tier."""
    if options.paced:
        return KalshiClient(base_url, signer, max_retries=0)
    return KalshiClient(base_url, signer, max_retries=0, rate_limit_per_s=0)


@dataclass
class Session:
    """A built trader and, live, its reconciliation (run when due on the trader's clock).

    Attributes:
        trader: the loop.
        reconcile: one reconciliation pass; returns how many orders are still unresolved
            (None in paper).
        every: the interval between passes.
        last: the trader-clock instant of the last pass.
    """

    trader: Trader
    reconcile: Callable[[], int] | None = None
    every: timedelta = timedelta(minutes=5)
    last: datetime | None = None

    def before_tick(self, now: datetime) -> None:
        """Reconcile when the last pass is ``every`` old (or there was none)."""
        if self.reconcile is None or (self.last is not None and now - self.last < self.every):
            return
        self.reconcile()
        self.last = now

    def drain(self, passes: int) -> None:
        """Reconcile until nothing is unresolved, at most ``passes`` times (a simulated day's
        end: its last orders are read back, or declared missing, before the process exits)."""
        for _ in range(passes):
            if self.reconcile is None or not self.reconcile():
                return


SessionBuilder = Callable[[Journal, TradeOptions, Callable[[], datetime]], Session]
"""Builds the paper or the live session for a journal, the options and the trader's clock."""


def print_settlements(records: list[SettlementRecord]) -> None:
    """One line per settled order."""
    for record in records:
        flag = " [red]CLI disagrees with the running extreme[/]" if record.extreme_disagrees else ""
        console.print(
            f"settled {record.client_order_id} {record.market_ticker}: CLI "
            f"{record.settled_value_f} -> {record.market_result}, P&L ${record.pnl}{flag}",
            highlight=False,
        )


def run_tick(trader: Trader, verbose: bool, alerts: JournalAlerts | None = None) -> int:
    """One tick, printed and alerted; returns the exit code it calls for (0 = carry on)."""
    report = trader.tick()
    if alerts is not None:
        alerts.after_tick(report, report.at)  # reads the journal; never raises, never blocks
    print_settlements(report.settled)
    for station in report.stations:
        console.print(station_line(station, verbose), highlight=False)
    if report.stopped:
        console.print(f"[bold red]{report.stopped}: trading stopped[/]", highlight=False)
        return 2 if report.stopped_by is Stop.EXPORT else 3
    if report.stations and all(s.status in UNREACHABLE for s in report.stations):
        venues = sorted({UNREACHABLE[s.status] for s in report.stations})
        console.print(f"[bold red]cannot reach {'/'.join(venues)}[/]", highlight=False)
        return 4
    return 0


def trade_gate(
    journal: Journal, options: TradeOptions, exchange: ExchangeExposure | None = None
) -> TradeGate:
    """The checks after the engine: the daily advice from ``--advice-dir`` when present."""
    return TradeGate(
        journal, options.block_all_on_unknown, exchange, advice_loader(options.advice_dir)
    )


def export_loader(options: TradeOptions) -> Callable[[datetime], ThresholdsExport]:
    """Reads and validates the export with the start-up conditions (``ExportError``)."""

    def load(at: datetime) -> ThresholdsExport:
        return load_thresholds(
            options.export, at, max_age=options.max_export_age, allow_simulated=options.simulated
        )

    return load


def check_mode(journal: Journal, broker: str) -> None:
    """Exit 2 when the journal holds orders of the other mode (paper vs live)."""
    # A journal is one book: paper and live orders never share keys or exposure.
    other = {o.broker for o in journal.orders()} - {broker}
    if other:
        fail(f"journal {journal.path} holds {other.pop()} orders: use another --journal", 2)


def paper_session(
    journal: Journal, options: TradeOptions, clock: Callable[[], datetime]
) -> Session:
    """The paper trader: the ``PaperBroker`` on the live books; interrupted intents resolved.

    Args:
        journal: the paper journal (no live order in it).
        options: the CLI's options.
        clock: the trader's clock.

    Returns:
        The session (no reconciliation: paper orders execute in-process).
    """
    load = export_loader(options)
    now = clock()
    try:
        export = load(now)
    except ExportError as exc:
        fail(str(exc), 2)
    if export.simulated:
        console.print("[yellow]SIMULATED thresholds (--simulated): demo only[/]")
    markets = KalshiMarkets(kalshi_client(options, None, book_signer()))
    iem = iem_client(options)

    def broker_for(fees: SeriesFees) -> PaperBroker:
        return PaperBroker(markets.book, clock, fees.fee_type, fees.fee_multiplier)

    state = restore_breakers(journal, options.limits)
    resolved = reconcile_intents(journal, PaperBroker(markets.book, clock), now)
    if resolved:
        console.print(f"restarted: {resolved} interrupted order(s) resolved from the journal")
    trades = len(journal.orders(now.date()))
    record_heartbeat(journal, now, "start", f"paper; {trades} orders journaled today")
    trader = Trader(
        export,
        journal,
        IemObservations(iem),
        markets,
        broker_for,
        state,
        clock,
        options.stations,
        climate=IemClimate(iem).report,
        reload_export=load,
        max_export_age=options.max_export_age,
        gate=trade_gate(journal, options),
    )
    return Session(trader)


def trade(journal: Journal, options: TradeOptions, build: SessionBuilder, broker: str) -> None:
    """Build the session and tick until stopped.

    Args:
        journal: the open journal.
        options: the CLI's options.
        build: ``paper_session``, or ``trader.cli_live``'s live one.
        broker: ``paper`` or ``live``: the journal must hold no order of the other.

    Raises:
        typer.Exit: with the code of the tick that stopped trading (``--once``: its code).
        trader.journal.JournalError: the journal became unwritable.
    """
    test = options.test_clock
    resume = last_tick_at(journal)
    simulated = None if test is None else ReplayClock(resume or test.start)
    clock: Callable[[], datetime] = simulated or (lambda: datetime.now(UTC))
    check_mode(journal, broker)
    notifier = Notifier.from_env()
    try:
        # Before the session: its start heartbeat ("restarted, N trades") is alerted too.
        alerts: JournalAlerts | None = None
        try:
            alerts = JournalAlerts(journal, notifier, clock(), limits=options.limits)
        except JournalError as exc:
            log.error("alerts off: their journal tables are unusable: %s", exc)
        session = build(journal, options, clock)
        _tick(session, options, clock, simulated, test, resume, alerts)
    finally:
        notifier.close(timeout=5.0)


def _tick(
    session: Session,
    options: TradeOptions,
    clock: Callable[[], datetime],
    simulated: ReplayClock | None,
    test: TestClock | None,
    resume: datetime | None,
    alerts: JournalAlerts | None,
) -> None:
    if simulated is not None and test is not None:
        for at in test.instants(resume):
            simulated.at = at
            session.before_tick(at)
            code = run_tick(session.trader, options.verbose, alerts)
            if code in (2, 3):
                raise typer.Exit(code)
        session.drain(options.missing_after + 1)
        return
    if options.once:
        session.before_tick(clock())
        raise typer.Exit(run_tick(session.trader, options.verbose, alerts))
    step = options.interval_minutes * 60
    while True:
        session.before_tick(clock())
        code = run_tick(session.trader, options.verbose, alerts)
        if code in (2, 3):
            raise typer.Exit(code)
        # Aligned to the clock; a long tick skips to the next slot, never overlaps.
        time.sleep(step - time.time() % step)
