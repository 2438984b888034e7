"""``python -m pipelines check``: is what the trader needs fresh? Non-zero exit when not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from pipelines.cli_shared import StationsOption, WaitSeconds, console, fail, parse_stations
from pipelines.freshness import (
    FreshnessLimits,
    FreshnessReport,
    NoFreshnessDataError,
    Reading,
    StationFreshness,
    check_freshness,
)
from pipelines.lock import LockMode, WarehouseBusyError, warehouse_lock
from pipelines.warehouse import duckdb_lock_holder

_DEFAULTS = FreshnessLimits()


def _hours(limit: timedelta) -> float:
    return limit.total_seconds() / 3600


def _hours_option(what: str) -> object:
    return typer.Option(min=0, help=f"hours after which {what} is stale")


def _age(age: timedelta | None) -> str:
    if age is None:
        return "never"
    minutes = age.total_seconds() / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} d"


def _cell(reading: Reading, detail: str = "") -> str:
    if reading.last_at is None:
        return "[red]none[/red]"
    when = reading.last_at.strftime("%Y-%m-%d %H:%M")
    text = f"{when}{detail} ({_age(reading.age)})"
    return f"[red]{text} STALE[/red]" if reading.stale else text


def _stale_readings(station: StationFreshness) -> list[str]:
    readings = {"observation": station.observation, "quote": station.quote, "CLI": station.cli}
    return [name for name, reading in readings.items() if reading.stale]


def _print_table(report: FreshnessReport) -> None:
    table = Table(
        title=(
            f"Freshness of {report.warehouse} ({report.data_source} data) at "
            f"{report.checked_at.strftime('%Y-%m-%d %H:%M')}Z"
        )
    )
    for column in ("station", "last observation", "last quote", "last CLI", "export rows"):
        table.add_column(column, justify="right" if column == "export rows" else "left")
    for station in report.stations:
        cli_date = f" for {station.cli_date.isoformat()}" if station.cli_date else ""
        table.add_row(
            station.station_icao,
            _cell(station.observation),
            _cell(station.quote),
            _cell(station.cli, cli_date),
            str(station.export_rows),
        )
    console.print(table)
    console.print(f"export {report.export_path}: {_cell(report.export)}", soft_wrap=True)
    if report.stale:
        parts = [
            f"{s.station_icao} ({', '.join(_stale_readings(s))})"
            for s in report.stations
            if s.stale
        ] + (["the export"] if report.export.stale else [])
        console.print(f"[red]STALE: {'; '.join(parts)}[/red]", soft_wrap=True)
    else:
        console.print("fresh: every station and the export are within their limits")


def check(
    stations: StationsOption = None,
    simulated: Annotated[
        bool, typer.Option("--simulated", help="check the simulated sample's rows and export")
    ] = False,
    max_observation_hours: Annotated[float, _hours_option("a station's last observation")] = _hours(
        _DEFAULTS.observation
    ),
    max_quote_hours: Annotated[
        float, _hours_option("the last quote of a station's markets")
    ] = _hours(_DEFAULTS.quote),
    max_cli_hours: Annotated[float, _hours_option("a station's last CLI issuance")] = _hours(
        _DEFAULTS.cli
    ),
    max_export_hours: Annotated[float, _hours_option("the thresholds export")] = _hours(
        _DEFAULTS.export
    ),
    as_of: Annotated[
        datetime | None,
        typer.Option(help="measure ages at this UTC instant (default: now)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    wait_seconds: WaitSeconds = 0,
) -> None:
    """Print per station the last observation, quote and CLI, and the export's age.

    Exits 1 when anything the trader needs is stale or missing (limits in hours, configurable),
    0 when all is fresh. Opens the warehouse read-only, sharing the lock with other readers.

    Examples:
      python -m pipelines check
      python -m pipelines check --stations KNYC --max-observation-hours 1 --json
    """
    limits = FreshnessLimits(
        observation=timedelta(hours=max_observation_hours),
        quote=timedelta(hours=max_quote_hours),
        cli=timedelta(hours=max_cli_hours),
        export=timedelta(hours=max_export_hours),
    )
    codes = [station.icao for station in parse_stations(stations)]
    now = None if as_of is None else as_of.replace(tzinfo=as_of.tzinfo or UTC)
    try:
        with warehouse_lock(LockMode.shared, wait_seconds):
            report = check_freshness(
                codes, limits, data_source="simulated" if simulated else "real", now=now
            )
    except (NoFreshnessDataError, WarehouseBusyError) as exc:
        fail(f"check: {exc}")
    except duckdb.IOException as exc:
        holder = duckdb_lock_holder(exc)
        if holder is None:
            raise
        fail(f"check: {holder}")
    if as_json:
        console.out(json.dumps(report.as_json(), indent=2), highlight=False)
    else:
        _print_table(report)
    raise typer.Exit(1 if report.stale else 0)
