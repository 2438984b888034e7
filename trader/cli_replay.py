"""``python -m trader replay``: the trading loop over one stored day (``trader.replay``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from domain.layout import warehouse_path
from domain.stations import station_by_series
from domain.tickers import parse_ticker
from trader.cli_common import console, fail, open_journal, parse_stations, setup_logging
from trader.inputs import ExportError, default_export_path
from trader.journal import JournalError, default_journal_path
from trader.replay import ReplayConfig, run_replay
from trader.replay_backtest import busiest_test_day
from trader.replay_books import event_of, recorded_source
from trader.replay_compare import compare, journaled_decisions
from trader.replay_report import trades_table
from trader.replay_warehouse import ReplayDataError


def _replay_day(
    raw: str, warehouse: Path, simulated: bool, stations: tuple[str, ...] | None
) -> date:
    if raw != "auto":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            fail(f"--date {raw!r} is not YYYY-MM-DD or auto", 2)
    source = "simulated" if simulated else "real"
    try:
        return busiest_test_day(warehouse, source, stations)
    except ReplayDataError as exc:
        fail(str(exc), 2)


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
    setup_logging(verbose)
    base = warehouse or warehouse_path()
    if not base.is_file():
        fail(f"warehouse {base} is missing: run `make build` (or pass --warehouse)", 2)
    only = parse_stations(station)
    if books is not None:
        try:
            event, recorded_day = event_of(books)
        except ReplayDataError as exc:
            fail(str(exc), 2)
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
        fail(str(exc), 2)
    except JournalError as exc:
        fail(str(exc), 3)
    resumed = f", resumed at {result.resumed_at:%H:%MZ}" if result.resumed_at else ""
    console.print(
        f"replayed {result.day} at {', '.join(result.stations)}: {result.ticks} ticks{resumed}; "
        f"journal {result.journal}",
        highlight=False,
    )
    console.print(trades_table(result))
    if not compare_backtest:
        return
    with open_journal(result.journal) as journal:
        comparison = compare(journaled_decisions(journal, result.day), result.backtest)
    for line in comparison.mismatches:
        console.print(f"[red]mismatch[/] {line}", highlight=False)
    console.print(comparison.line, highlight=False)
    if comparison.agreeing != comparison.total:
        raise typer.Exit(1)
