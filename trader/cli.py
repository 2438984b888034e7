"""``python -m trader``: the trader (paper by default, ``--live`` behind consent), ``status``,
``resume``, ``settle``; ``replay`` (``trader.cli_replay``), ``advise`` (``trader.cli_advisor``),
``markets`` (``trader.cli_markets``) and ``buy`` (``trader.cli_buy``).

Every failure the operator can fix ends in one clear line and a non-zero exit, never a
traceback: exit 1 = live trading refused (``trader.consent``), 2 = bad input (export,
credentials), 3 = journal unusable, 4 = cannot reach IEM/Kalshi.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from adapters.iem.client import IemClient
from domain.risk import RiskLimits
from trader.advisor import default_advice_dir
from trader.breakers import on_resume
from trader.cli_advisor import advise
from trader.cli_buy import buy_command
from trader.cli_common import (
    Env,
    JournalOption,
    console,
    fail,
    live_consent,
    live_journal_path,
    open_journal,
    parse_stations,
    setup_logging,
)
from trader.cli_live import live_session
from trader.cli_markets import markets_command
from trader.cli_replay import replay
from trader.cli_trade import (
    SessionBuilder,
    TestClock,
    TradeOptions,
    paper_session,
    print_settlements,
    trade,
)
from trader.inputs import default_export_path
from trader.journal import JournalError
from trader.journal_state import record_breaker_event, record_heartbeat
from trader.loop import VENUE_ERRORS
from trader.recovery import restore_breakers
from trader.settlement import IemClimate, settle_due
from trader.status import status_report

app = typer.Typer(
    help="The trader: reads the dbt thresholds export, trades (paper by default), journals all.",
    invoke_without_command=True,
    add_completion=False,
)
app.command("replay")(replay)
app.command("advise")(advise)
app.command("markets")(markets_command)
app.command("buy")(buy_command)

DESIGN_MAX_EXPOSURE = Decimal("120.00")


class TimeInForce(StrEnum):
    """How a live order meets the book."""

    IOC = "ioc"
    FOK = "fok"


def _when(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        fail(f"{name} {raw!r} is not an ISO 8601 instant", 2)
    if at.tzinfo is None:
        fail(f"{name} {raw!r} needs a UTC offset", 2)
    return at


def _exposure(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        fail(f"--max-daily-exposure {raw!r} is not a dollar amount", 2)
    if not Decimal(0) < value <= DESIGN_MAX_EXPOSURE:
        fail(f"--max-daily-exposure must be in (0, {DESIGN_MAX_EXPOSURE}] (design: $60-$120)", 2)
    return value


@app.callback()
def main(
    ctx: typer.Context,
    paper: Annotated[
        bool, typer.Option("--paper/--live", help="Paper trading, or live (needs consent).")
    ] = True,
    once: Annotated[bool, typer.Option("--once", help="Run a single tick and exit.")] = False,
    stations: Annotated[
        str | None,
        typer.Option(help="Comma-separated ICAO ids (default: the stations traded by default)."),
    ] = None,
    journal_path: JournalOption = None,
    export: Annotated[Path | None, typer.Option(help="Thresholds export (.parquet/.json).")] = None,
    simulated: Annotated[bool, typer.Option(help="Accept simulated thresholds (demo).")] = False,
    max_export_age_hours: Annotated[float, typer.Option(help="Oldest usable export.")] = 48.0,
    interval_minutes: Annotated[int, typer.Option(help="Minutes between ticks.")] = 5,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every reason.")] = False,
    env: Annotated[Env, typer.Option(help="Live: the Kalshi environment.")] = Env.DEMO,
    base_url: Annotated[
        str | None, typer.Option(help="Live: REST base override (default KALSHI_BASE_URL/env).")
    ] = None,
    arming_file: Annotated[
        Path | None,
        typer.Option(help="Live, unattended: a file containing 'live <env> <UTC date>'."),
    ] = None,
    time_in_force: Annotated[
        TimeInForce, typer.Option(help="Live: immediate-or-cancel or fill-or-kill.")
    ] = TimeInForce.IOC,
    block_all_on_unknown: Annotated[
        bool | None,
        typer.Option(
            "--block-all-on-unknown/--block-key-on-unknown",
            help="An unknown order outcome blocks every order (default in live), or its key.",
        ),
    ] = None,
    reconcile_minutes: Annotated[
        int, typer.Option(min=1, help="Live: minutes between reconciliations.")
    ] = 5,
    missing_after: Annotated[
        int, typer.Option(min=1, help="Live: consecutive misses before an order is missing.")
    ] = 3,
    max_daily_exposure: Annotated[
        str, typer.Option(help="Dollars committed per climate date, at most.")
    ] = "60.00",
    advice_dir: Annotated[
        Path | None, typer.Option(help="Daily advice files (default warehouse/trader/advisor).")
    ] = None,
    clock_start: Annotated[
        str | None,
        typer.Option(hidden=True, help="TESTS ONLY: simulated clock start (no request pacing)."),
    ] = None,
    clock_end: Annotated[
        str | None, typer.Option(hidden=True, help="TESTS ONLY: simulated clock end.")
    ] = None,
    clock_step_minutes: Annotated[
        int, typer.Option(hidden=True, min=1, help="TESTS ONLY: simulated clock step.")
    ] = 15,
) -> None:
    """Trade: one tick every ``--interval-minutes`` (aligned to the clock); paper by default."""
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose)
    start, end = _when(clock_start, "--clock-start"), _when(clock_end, "--clock-end")
    if (start is None) != (end is None):
        fail("--clock-start and --clock-end go together", 2)
    if start is not None and not paper and env is Env.PROD:
        fail("the test clock never runs against production", 2)
    limits = RiskLimits(max_daily_exposure=_exposure(max_daily_exposure))
    consent = None if paper else live_consent(env, base_url, arming_file)
    options = TradeOptions(
        once=once,
        stations=parse_stations(stations),
        export=export or default_export_path(simulated),
        simulated=simulated,
        max_export_age=timedelta(hours=max_export_age_hours),
        interval_minutes=interval_minutes,
        verbose=verbose,
        limits=limits,
        block_all_on_unknown=(not paper) if block_all_on_unknown is None else block_all_on_unknown,
        reconcile_every=timedelta(minutes=reconcile_minutes),
        missing_after=missing_after,
        fill_or_kill=time_in_force is TimeInForce.FOK,
        test_clock=None
        if start is None or end is None
        else TestClock(start, end, timedelta(minutes=clock_step_minutes)),
        advice_dir=advice_dir or default_advice_dir(),
    )
    build: SessionBuilder = paper_session if consent is None else partial(live_session, consent)
    journal = open_journal(journal_path, None if paper else live_journal_path(env))
    try:
        trade(journal, options, build, "paper" if consent is None else "live")
    except JournalError as exc:
        fail(f"journal unwritable, trading stopped: {exc}", 3)
    except KeyboardInterrupt:
        record_heartbeat(journal, datetime.now(UTC), "stop", "interrupted")
    finally:
        journal.close()


@app.command()
def status(
    journal_path: JournalOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Today's orders, open positions, breakers and the last tick (from the journal only)."""
    with open_journal(journal_path) as journal:
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
    with open_journal(journal_path) as journal:
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
    """Settle filled orders whose climate day's CLI is out (IEM json/cli.py)."""
    now = datetime.now(UTC)
    with open_journal(journal_path) as journal:
        state = restore_breakers(journal, RiskLimits())
        try:
            _, records = settle_due(
                journal, IemClimate(IemClient(max_attempts=1)).report, state, now
            )
        except VENUE_ERRORS as exc:
            fail(f"cannot reach IEM: {exc}", 4)
        except JournalError as exc:
            fail(f"journal unwritable: {exc}", 3)
    print_settlements(records)
    console.print(f"{len(records)} order(s) settled")
