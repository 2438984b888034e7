"""The manual commands: ``markets`` (the ladder as the engine sees it) and ``buy`` (one order).

``markets`` reads what the trader reads (IEM, Kalshi, the thresholds export) and prints, per
bracket, the bid, the ask and its depth, the running extreme's headroom, the probability the
engine would price the bracket at and the edge after fees (``domain.ladder_view``), then the
engine's own decision. ``buy`` places one order through the same journal and broker as the loop:
the one-trade-per-station-contract-day key applies to it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from adapters.iem.client import IemClient
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.credentials import resolve_signer
from adapters.kalshi.signing import KalshiConfigError
from domain.climate_day import climate_date as climate_date_of
from domain.climate_day import climate_day_window
from domain.decision import decide
from domain.decision_input import DecisionInput
from domain.ladder_view import BracketView, ladder_view
from domain.orders import Execution, OrderIntent
from domain.running_extreme import RunningExtreme, running_extreme
from domain.stations import (
    Station,
    UnknownStationError,
    load_stations,
    station_by_icao,
    station_by_series,
)
from domain.thresholds import StationThresholds
from domain.tickers import TickerError, parse_ticker
from trader.brokers import Broker, PaperBroker
from trader.feeds import IemObservations
from trader.inputs import ExportError, default_export_path, load_thresholds
from trader.journal import DuplicateOrderError, Journal, JournalError, default_journal_path
from trader.loop import VENUE_ERRORS
from trader.markets import KalshiMarkets, ladder_quote

log = logging.getLogger(__name__)


def fail(console: Console, message: str, code: int) -> NoReturn:
    """One red line and the exit code (never a traceback for an expected failure)."""
    console.print(f"[bold red]{message}[/]", highlight=False)
    raise typer.Exit(code)


def kalshi_markets(console: Console) -> KalshiMarkets:
    """The signed Kalshi feed (order books need a key), or one clear line and exit 2."""
    try:
        signer = resolve_signer()
    except KalshiConfigError as exc:
        fail(console, f"Kalshi credentials: {exc}", 2)
    if signer is None:
        fail(
            console,
            "no Kalshi key configured: order books need one (see .dlt/example.secrets.toml)",
            2,
        )
    return KalshiMarkets(KalshiClient(signer=signer, max_retries=0))


def _thresholds(
    export: Path | None, simulated: bool, now: datetime
) -> dict[tuple[str, str], StationThresholds]:
    """The export's rows by (station, contract); none when it is unusable (prices only)."""
    try:
        loaded = load_thresholds(
            export or default_export_path(simulated), now, allow_simulated=simulated
        )
    except ExportError as exc:
        log.warning("no engine view: %s", exc)
        return {}
    return {
        (r.thresholds.station_icao, r.thresholds.contract_type): r.thresholds for r in loaded.rows
    }


def _extreme(station: Station, day: date, now: datetime) -> RunningExtreme:
    start, end = climate_day_window(day, station)
    readings = IemObservations(IemClient(max_attempts=1)).fetch(station, start, min(end, now))
    return running_extreme(readings, station, day, now)


def _money(value: Decimal | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _row(view: BracketView, depth: Decimal | None) -> list[str]:
    quote, order = view.quote, view.order
    lower, upper = quote.bracket.lower, quote.bracket.upper
    bracket = f"{'' if lower is None else lower}..{'' if upper is None else upper}"
    mark = "*" if view.holds_extreme else ("dead" if view.dead else "")
    return [
        quote.market_ticker,
        bracket,
        mark,
        _money(quote.yes_bid),
        _money(quote.executable_ask),
        "-" if depth is None else f"{depth:.0f}",
        "-" if view.headroom_f is None else str(view.headroom_f),
        _money(view.probability, 4),
        "-" if order is None or order.count == 0 else str(order.count),
        "-" if order is None or order.count == 0 else _money(order.fee),
        "-" if order is None else _money(order.ev, 4),
    ]


def show_markets(
    console: Console,
    stations: tuple[Station, ...],
    day: date | None,
    export: Path | None,
    simulated: bool,
) -> None:
    """Print each station's HIGH and LOW ladders with the engine's view (see the module doc)."""
    markets = kalshi_markets(console)
    now = datetime.now(UTC)
    rows = _thresholds(export, simulated, now)
    for station in stations:
        when = day or climate_date_of(now, station)
        try:
            extreme = _extreme(station, when, now)
        except VENUE_ERRORS as exc:
            fail(console, f"cannot reach IEM: {exc}", 4)
        for contract, series in (
            ("HIGH", station.high_series_ticker),
            ("LOW", station.low_series_ticker),
        ):
            try:
                fees = markets.fees(series)
                books = {m: markets.book(m.market_ticker) for m in markets.ladder(series, when)}
            except VENUE_ERRORS as exc:
                fail(console, f"cannot reach Kalshi: {exc}", 4)
            value = extreme.extreme_for(contract)
            table = Table(
                title=f"{station.icao} {contract} {when} (running {contract.lower()} "
                f"{'-' if value is None else f'{value}°F'})"
            )
            for name in (
                "market",
                "°F",
                "",
                "bid",
                "ask",
                "depth",
                "room",
                "p",
                "n",
                "fee",
                "edge",
            ):
                table.add_column(name)
            ladder = tuple(ladder_quote(m, b, fees) for m, b in books.items())
            depth = {
                m.market_ticker: b.yes_asks[0].size if b.yes_asks else None
                for m, b in books.items()
            }
            th = rows.get((station.icao, contract))
            for view in ladder_view(ladder, contract, value, th):
                table.add_row(*_row(view, depth[view.quote.market_ticker]))
            console.print(table)
            if th is None:
                console.print("no thresholds row for it: prices and headroom only", highlight=False)
                continue
            inp = DecisionInput(
                thresholds=th,
                contract_type=th.contract_type,
                climate_date=when,
                running_extreme_f=value,
                observation_age_minutes=extreme.observation_age_minutes(now),
                ladder=ladder,
                now=now,
            )
            decision = decide(inp)
            console.print(
                f"engine ({th.rule}, {th.verdict}; risk limits not applied): "
                f"{decision.action} {decision.reason_code}: {decision.reason}",
                highlight=False,
            )


def parse_price(raw: str) -> Decimal:
    """A limit price in dollars, strictly between 0 and 1 (``typer.BadParameter`` otherwise)."""
    try:
        price = Decimal(raw)
    except InvalidOperation:
        raise typer.BadParameter(f"--max-price {raw!r} is not a number of dollars") from None
    if not Decimal(0) < price < Decimal(1) or price != price.quantize(Decimal("0.0001")):
        raise typer.BadParameter(f"--max-price {raw} must be in (0, 1) dollars, at most 4 places")
    return price


def manual_intent(
    console: Console, markets: KalshiMarkets, ticker: str, count: int, price: Decimal
) -> OrderIntent:
    """The intent of a manual buy of YES: station, contract and climate date from the ticker,
    the bracket from the event's ladder (its strike fields), as the loop reads it."""
    try:
        parsed = parse_ticker(ticker)
        station, contract = station_by_series(parsed.series_ticker)
    except (TickerError, UnknownStationError) as exc:
        fail(console, f"{ticker}: {exc}", 2)
    try:
        ladder = markets.ladder(parsed.series_ticker, parsed.climate_date)
    except VENUE_ERRORS as exc:
        fail(console, f"cannot reach Kalshi: {exc}", 4)
    found = [m for m in ladder if m.market_ticker == ticker]
    if not found:
        fail(console, f"{ticker} is not an open market of {parsed.event_ticker}", 2)
    return OrderIntent(
        climate_date=parsed.climate_date,
        station_icao=station.icao,
        contract_type=contract,
        market_ticker=ticker,
        bracket=found[0].bracket,
        count=count,
        limit_price=price,
        created_at=datetime.now(UTC),
    )


def place(
    console: Console,
    journal: Journal,
    intent: OrderIntent,
    broker: Broker,
    clock: Callable[[], datetime],
) -> Execution:
    """Journal the intent, then send it; the outcome is journaled like the loop's orders."""
    try:
        order = journal.record_intent(intent)
    except DuplicateOrderError:
        fail(console, f"{intent.dedup_key} already has an order: one trade per day", 2)
    try:
        execution = broker.submit(order)
    except VENUE_ERRORS as exc:
        log.error("send failed: %s", exc)
        execution = broker.reconcile(order)
    journal.record_fills(execution.fills, clock())
    if not execution.fills:
        journal.set_status(
            order.client_order_id, execution.status, clock(), reason=execution.reason
        )
    return execution


def station_list(console: Console, raw: str | None) -> tuple[Station, ...]:
    """``--station`` ids, or every station of the registry."""
    if not raw:
        return load_stations()
    try:
        return tuple(station_by_icao(code.strip()) for code in raw.split(",") if code.strip())
    except UnknownStationError as exc:
        fail(console, str(exc), 2)


def markets_command(
    station: Annotated[
        str | None, typer.Option(help="Comma-separated ICAO ids (default all).")
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="Climate date YYYY-MM-DD (default today's).")
    ] = None,
    export: Annotated[Path | None, typer.Option(help="Thresholds export (.parquet/.json).")] = None,
    simulated: Annotated[bool, typer.Option(help="Accept simulated thresholds (demo).")] = False,
) -> None:
    """The ladder with bid/ask/depth, the running extreme and the engine's view per bracket."""
    console = Console()
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        fail(console, f"--date {day!r} is not YYYY-MM-DD", 2)
    show_markets(console, station_list(console, station), when, export, simulated)


def buy_command(
    ticker: Annotated[str, typer.Argument(help="Market ticker, e.g. KXHIGHNY-26DEC01-B44.5.")],
    count: Annotated[int, typer.Option(min=1, help="Contracts to buy.")],
    max_price: Annotated[str, typer.Option(help="Highest YES price paid, dollars (0.01..0.99).")],
    journal_path: Annotated[
        Path | None, typer.Option("--journal", help="Journal file (default warehouse/trader/...).")
    ] = None,
) -> None:
    """Buy YES on one market (paper), journaled like the loop's orders (one per station-day)."""
    console = Console()
    price = parse_price(max_price)
    markets = kalshi_markets(console)
    intent = manual_intent(console, markets, ticker, count, price)
    try:
        fees = markets.fees(parse_ticker(ticker).series_ticker)
    except VENUE_ERRORS as exc:
        fail(console, f"cannot reach Kalshi: {exc}", 4)

    def clock() -> datetime:
        return datetime.now(UTC)

    broker = PaperBroker(markets.book, clock, fees.fee_type, fees.fee_multiplier)
    try:
        with Journal(journal_path or default_journal_path()) as journal:
            execution = place(console, journal, intent, broker, clock)
    except JournalError as exc:
        fail(console, f"journal unwritable: {exc}", 3)
    console.print(
        f"paper {execution.status} {intent.client_order_id}: {execution.filled_count} of "
        f"{count} @ <= {price}, cost ${execution.cost}, fee ${execution.fees} ({execution.reason})",
        highlight=False,
    )
