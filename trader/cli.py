"""``python -m trader``: the paper trader (default), ``status``, ``resume``, ``settle``, ``replay``.

Every failure the operator can fix ends in one clear line and a non-zero exit, never a
traceback: exit 2 = bad input (export, credentials), 3 = journal unusable, 4 = cannot reach
IEM/Kalshi.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler

from adapters.iem.client import IemClient
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.credentials import resolve_signer
from adapters.kalshi.signing import KalshiConfigError
from domain.layout import warehouse_path
from domain.risk import RiskLimits
from domain.stations import UnknownStationError, station_by_icao, station_by_series
from domain.tickers import parse_ticker
from trader.breakers import on_resume
from trader.brokers import PaperBroker
from trader.console import station_line
from trader.feeds import IemObservations
from trader.inputs import ExportError, ThresholdsExport, default_export_path, load_thresholds
from trader.journal import Journal, JournalError, default_journal_path
from trader.journal_state import SettlementRecord, record_breaker_event, record_heartbeat
from trader.loop import UNREACHABLE, VENUE_ERRORS, Stop, Trader
from trader.markets import KalshiMarkets, SeriesFees
from trader.recovery import reconcile_intents, restore_breakers
from trader.replay import ReplayConfig, run_replay
from trader.replay_backtest import busiest_test_day
from trader.replay_books import event_of, recorded_source
from trader.replay_compare import compare, journaled_decisions
from trader.replay_report import trades_table
from trader.replay_warehouse import ReplayDataError
from trader.settlement import IemClimate, settle_due
from trader.status import status_report

log = logging.getLogger("trader")
console = Console(width=None if sys.stdout.isatty() else 200)

app = typer.Typer(
    help="The paper trader: reads the dbt thresholds export, trades in paper, journals all.",
    invoke_without_command=True,
    add_completion=False,
)

JournalOption = Annotated[
    Path | None, typer.Option("--journal", help="Journal file (default warehouse/trader/...).")
]


def _fail(message: str, code: int) -> NoReturn:
    console.print(f"[bold red]{message}[/]", highlight=False)
    raise typer.Exit(code)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, rich_tracebacks=False)],
        force=True,
    )


def _open_journal(path: Path | None) -> Journal:
    try:
        return Journal(path or default_journal_path())
    except JournalError as exc:
        _fail(str(exc), 3)


def _stations(raw: str | None) -> tuple[str, ...] | None:
    if not raw:
        return None
    try:
        return tuple(station_by_icao(code.strip()).icao for code in raw.split(",") if code.strip())
    except UnknownStationError as exc:
        _fail(str(exc), 2)


def _build_trader(
    journal: Journal, export_path: Path, stations: str | None, simulated: bool, max_age_h: float
) -> Trader:
    now = datetime.now(UTC)

    def load(at: datetime) -> ThresholdsExport:
        return load_thresholds(
            export_path, at, max_age=timedelta(hours=max_age_h), allow_simulated=simulated
        )

    try:
        export = load(now)
    except ExportError as exc:
        _fail(str(exc), 2)
    if export.simulated:
        console.print("[yellow]SIMULATED thresholds (--simulated): demo only[/]")
    try:
        signer = resolve_signer()
    except KalshiConfigError as exc:
        _fail(f"Kalshi credentials: {exc}", 2)
    if signer is None:
        _fail("no Kalshi key configured: order books need one (see .dlt/example.secrets.toml)", 2)
    # One attempt per request: the trader's own backoff breaker spaces the retries.
    kalshi = KalshiClient(signer=signer, max_retries=0)
    markets = KalshiMarkets(kalshi)
    iem = IemClient(max_attempts=1)
    observations = IemObservations(iem)

    def clock() -> datetime:
        return datetime.now(UTC)

    def broker_for(fees: SeriesFees) -> PaperBroker:
        return PaperBroker(markets.book, clock, fees.fee_type, fees.fee_multiplier)

    state = restore_breakers(journal, RiskLimits())
    resolved = reconcile_intents(journal, PaperBroker(markets.book, clock), now)
    if resolved:
        console.print(f"restarted: {resolved} interrupted order(s) resolved from the journal")
    trades = len(journal.orders(now.date()))
    record_heartbeat(journal, now, "start", f"paper; {trades} orders journaled today")
    return Trader(
        export,
        journal,
        observations,
        markets,
        broker_for,
        state,
        clock,
        _stations(stations),
        climate=IemClimate(iem).report,
        reload_export=load,
        max_export_age=timedelta(hours=max_age_h),
    )


def _print_settlements(records: list[SettlementRecord]) -> None:
    for record in records:
        flag = " [red]CLI disagrees with the running extreme[/]" if record.extreme_disagrees else ""
        console.print(
            f"settled {record.client_order_id} {record.market_ticker}: CLI "
            f"{record.settled_value_f} -> {record.market_result}, P&L ${record.pnl}{flag}",
            highlight=False,
        )


def _run_tick(trader: Trader, verbose: bool) -> int:
    report = trader.tick()
    _print_settlements(report.settled)
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


@app.callback()
def main(
    ctx: typer.Context,
    paper: Annotated[
        bool, typer.Option("--paper/--live", help="Paper trading (live: next issue).")
    ] = True,
    once: Annotated[bool, typer.Option("--once", help="Run a single tick and exit.")] = False,
    stations: Annotated[str | None, typer.Option(help="Comma-separated ICAO ids.")] = None,
    journal_path: JournalOption = None,
    export: Annotated[Path | None, typer.Option(help="Thresholds export (.parquet/.json).")] = None,
    simulated: Annotated[bool, typer.Option(help="Accept simulated thresholds (demo).")] = False,
    max_export_age_hours: Annotated[float, typer.Option(help="Oldest usable export.")] = 48.0,
    interval_minutes: Annotated[int, typer.Option(help="Minutes between ticks.")] = 5,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every reason.")] = False,
) -> None:
    """Trade in paper: one tick every ``--interval-minutes`` (aligned to the clock)."""
    if ctx.invoked_subcommand is not None:
        return
    _setup_logging(verbose)
    if not paper:
        _fail("live trading is not implemented yet: run with --paper", 2)
    journal = _open_journal(journal_path)
    try:
        _trade(
            journal,
            once,
            stations,
            export,
            simulated,
            max_export_age_hours,
            interval_minutes,
            verbose,
        )
    except JournalError as exc:
        _fail(f"journal unwritable, trading stopped: {exc}", 3)
    except KeyboardInterrupt:
        record_heartbeat(journal, datetime.now(UTC), "stop", "interrupted")
    finally:
        journal.close()


def _trade(
    journal: Journal,
    once: bool,
    stations: str | None,
    export: Path | None,
    simulated: bool,
    max_export_age_hours: float,
    interval_minutes: int,
    verbose: bool,
) -> None:
    trader = _build_trader(
        journal, export or default_export_path(simulated), stations, simulated, max_export_age_hours
    )
    if once:
        raise typer.Exit(_run_tick(trader, verbose))
    step = interval_minutes * 60
    while True:
        code = _run_tick(trader, verbose)
        if code in (2, 3):
            raise typer.Exit(code)
        # Aligned to the clock; a long tick skips to the next slot, never overlaps.
        time.sleep(step - time.time() % step)


@app.command()
def status(
    journal_path: JournalOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Today's orders, open positions, breakers and the last tick (from the journal only)."""
    with _open_journal(journal_path) as journal:
        report = status_report(journal, datetime.now(UTC), RiskLimits())
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    tick = report["last_tick"]
    console.print(f"journal {report['journal']}; last tick {tick['at'] if tick else 'never'}")
    breakers = report["breakers"]
    halt = f"HALTED ({breakers['halt_reason']})" if breakers["halted"] else "not halted"
    console.print(f"{halt}; losing streak {breakers['consecutive_losses']}")
    for order in report["orders"]:
        console.print(
            f"{order['dedup_key']} {order['market_ticker']} {order['status']} "
            f"{order['filled_count']}/{order['count']} @ <= {order['limit_price']}",
            highlight=False,
        )
    console.print(f"{len(report['open_positions'])} open position(s)")


@app.command()
def resume(journal_path: JournalOption = None) -> None:
    """Lift the losing-streak halt after manual review (journaled as a breaker event)."""
    with _open_journal(journal_path) as journal:
        state = restore_breakers(journal, RiskLimits())
        _, events = on_resume(state, datetime.now(UTC))
        if not events:
            console.print("not halted: nothing to resume")
            return
        for event in events:
            record_breaker_event(journal, event)
    console.print("resumed: trading may continue")


@app.command()
def settle(journal_path: JournalOption = None) -> None:
    """Settle filled paper orders whose climate day's CLI is out (IEM json/cli.py)."""
    now = datetime.now(UTC)
    with _open_journal(journal_path) as journal:
        state = restore_breakers(journal, RiskLimits())
        try:
            _, records = settle_due(
                journal, IemClimate(IemClient(max_attempts=1)).report, state, now
            )
        except VENUE_ERRORS as exc:
            _fail(f"cannot reach IEM: {exc}", 4)
        except JournalError as exc:
            _fail(f"journal unwritable: {exc}", 3)
    _print_settlements(records)
    console.print(f"{len(records)} order(s) settled")


def _replay_day(
    raw: str, warehouse: Path, simulated: bool, stations: tuple[str, ...] | None
) -> date:
    if raw != "auto":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            _fail(f"--date {raw!r} is not YYYY-MM-DD or auto", 2)
    source = "simulated" if simulated else "real"
    try:
        return busiest_test_day(warehouse, source, stations)
    except ReplayDataError as exc:
        _fail(str(exc), 2)


@app.command()
def replay(
    day: Annotated[
        str, typer.Option("--date", help="Climate date YYYY-MM-DD, or auto: the busiest test day.")
    ] = "auto",
    station: Annotated[str | None, typer.Option(help="Comma-separated ICAO ids.")] = None,
    books: Annotated[
        Path | None, typer.Option(help="Recorded top-of-book file instead of warehouse quotes.")
    ] = None,
    compare_backtest: Annotated[
        bool,
        typer.Option(
            "--compare-backtest", help="Decide as fct_backtest_trades and compare every decision."
        ),
    ] = False,
    journal_path: Annotated[
        Path | None, typer.Option("--journal", help="Replay journal (default: a fresh one).")
    ] = None,
    warehouse: Annotated[
        Path | None, typer.Option(help="DuckDB warehouse, opened read-only.")
    ] = None,
    export: Annotated[Path | None, typer.Option(help="Thresholds export (.parquet/.json).")] = None,
    simulated: Annotated[bool, typer.Option(help="Replay the simulated sample.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every reason.")] = False,
) -> None:
    """Run the trading loop with a simulated clock over one stored day (the warehouse, read-only)."""
    _setup_logging(verbose)
    base = warehouse or warehouse_path()
    if not base.is_file():
        _fail(f"warehouse {base} is missing: run `make build` (or pass --warehouse)", 2)
    only = _stations(station)
    if books is not None:
        try:
            event, recorded_day = event_of(books)
        except ReplayDataError as exc:
            _fail(str(exc), 2)
        only = only or (station_by_series(parse_ticker(event).series_ticker)[0].icao,)
        when = recorded_day if day == "auto" else _replay_day(day, base, simulated, only)
    else:
        when = _replay_day(day, base, simulated, only)
    journal_file = journal_path or default_journal_path().parent / f"replay-{when}.sqlite"
    if journal_path is None:
        journal_file.unlink(missing_ok=True)  # the default journal is the replay's own, fresh
    config = ReplayConfig(
        day=when,
        warehouse=base,
        export=export or default_export_path(simulated, base),
        journal=journal_file,
        stations=only,
        simulated=simulated,
        as_backtest=compare_backtest,
    )
    if simulated:
        console.print("[yellow]SIMULATED sample (--simulated): demo only[/]")
    if compare_backtest:
        console.print("every thresholds row decided as GO, risk books as the backtest's")
    try:
        if books is not None:
            console.print("recorded books carry no sizes: each bid counts as deep enough")
            result = run_replay(config, recorded_source(books, base, config.data_source))
        else:
            result = run_replay(config)
    except (ExportError, ReplayDataError) as exc:
        _fail(str(exc), 2)
    except JournalError as exc:
        _fail(str(exc), 3)
    resumed = f", resumed at {result.resumed_at:%H:%MZ}" if result.resumed_at else ""
    console.print(
        f"replayed {result.day} at {', '.join(result.stations)}: {result.ticks} ticks{resumed}; "
        f"journal {result.journal}",
        highlight=False,
    )
    console.print(trades_table(result))
    if not compare_backtest:
        return
    with _open_journal(result.journal) as journal:
        comparison = compare(journaled_decisions(journal, result.day), result.backtest)
    for line in comparison.mismatches:
        console.print(f"[red]mismatch[/] {line}", highlight=False)
    console.print(comparison.line, highlight=False)
    if comparison.agreeing != comparison.total:
        raise typer.Exit(1)
