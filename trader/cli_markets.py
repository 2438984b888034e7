"""``python -m trader markets``: the ladder as the engine sees it.

It reads what the trader reads (IEM, Kalshi, the thresholds export) and prints, per bracket, the
bid, the ask and its depth, the running extreme's headroom, the probability the engine would price
the bracket at and the edge after fees (``domain.ladder_view``), then the engine's own decision.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adapters.iem.client import IemClient
from adapters.kalshi.client import KalshiClient, KalshiError
from domain.climate_day import climate_date as climate_date_of
from domain.climate_day import climate_day_window
from domain.decision import decide
from domain.decision_input import DecisionInput
from domain.ladder_view import BracketView, ladder_view
from domain.running_extreme import RunningExtreme, running_extreme
from domain.stations import (
    Station,
    UnknownStationError,
    default_stations,
    station_by_icao,
)
from domain.thresholds import StationThresholds
from trader.cli_common import book_signer, console, fail
from trader.feeds import IemObservations
from trader.inputs import ExportError, default_export_path, load_thresholds
from trader.loop import VENUE_ERRORS
from trader.markets import KalshiMarkets, ladder_quote

log = logging.getLogger(__name__)


def kalshi_markets() -> KalshiMarkets:
    """The signed Kalshi feed (order books need a key), or one clear line and exit 2."""
    return KalshiMarkets(KalshiClient(signer=book_signer(), max_retries=0))


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
    stations: tuple[Station, ...],
    day: date | None,
    export: Path | None,
    simulated: bool,
) -> None:
    """Print each station's HIGH and LOW ladders with the engine's view (see the module doc)."""
    markets = kalshi_markets()
    now = datetime.now(UTC)
    rows = _thresholds(export, simulated, now)
    for station in stations:
        when = day or climate_date_of(now, station)
        try:
            extreme = _extreme(station, when, now)
        except VENUE_ERRORS as exc:
            fail(f"cannot reach IEM: {exc}", 4)
        for contract, series in (
            ("HIGH", station.high_series_ticker),
            ("LOW", station.low_series_ticker),
        ):
            try:
                fees = markets.fees(series)
                books = {m: markets.book(m.market_ticker) for m in markets.ladder(series, when)}
            except KalshiError as exc:
                if exc.status != 404:
                    fail(f"cannot reach Kalshi: {exc}", 4)
                console.print(f"{station.icao} {contract} {when}: no event listed", highlight=False)
                continue
            except VENUE_ERRORS as exc:
                fail(f"cannot reach Kalshi: {exc}", 4)
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


def station_list(raw: str | None) -> tuple[Station, ...]:
    """``--station`` ids, or the stations traded by default."""
    if not raw:
        return default_stations()
    try:
        return tuple(station_by_icao(code.strip()) for code in raw.split(",") if code.strip())
    except UnknownStationError as exc:
        fail(str(exc), 2)


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
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"--date {day!r} is not YYYY-MM-DD", 2)
    show_markets(station_list(station), when, export, simulated)
