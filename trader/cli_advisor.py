"""``python -m trader advise``: write the day's advice file (scheduled at 6:00 AM ET).

Off the hot path: the trader only reads the file (``trader.advisor.load_advice``). A source
that cannot be reached leaves its stations at multiplier 1 (the file says why); the command
fails only on bad input (exit 2) or an unwritable folder (exit 3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from adapters.iem.client import IemClient
from adapters.nws.client import NwsClient
from domain.stations import Station, default_stations, station_by_icao
from trader.advisor import default_advice_dir, write_advice
from trader.advisor_sources import IemCli, RulesAdvisor
from trader.cli_common import console, fail, parse_stations, setup_logging

# The job runs at 6:00 AM Eastern: "today" is the Eastern date.
ADVICE_ZONE = ZoneInfo("America/New_York")


def advised_stations(raw: str | None) -> list[Station]:
    """The stations of ``--stations`` (exit 2 on an unknown one), else the traded ones."""
    chosen = parse_stations(raw)
    return [station_by_icao(s) for s in chosen] if chosen else list(default_stations())


def advise(
    day: Annotated[
        str | None, typer.Option("--date", help="Day advised on, YYYY-MM-DD (default: today ET).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder (default warehouse/trader/advisor/).")
    ] = None,
    stations: Annotated[
        str | None, typer.Option(help="Comma-separated ICAO ids (default: the traded ones).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every request.")] = False,
) -> None:
    """Write the day's per-station confidence multipliers (NWS forecast vs CLI normals)."""
    setup_logging(verbose)
    now = datetime.now(UTC)
    try:
        target = date.fromisoformat(day) if day else now.astimezone(ADVICE_ZONE).date()
    except ValueError:
        fail(f"--date {day!r} is not YYYY-MM-DD", 2)
    picked = advised_stations(stations)
    with NwsClient() as nws, IemClient(max_attempts=3) as iem:
        advice = RulesAdvisor(nws, IemCli(iem)).advise(target, picked, now)
    try:
        path = write_advice(out or default_advice_dir(), advice)
    except OSError as exc:
        fail(f"cannot write the advice: {exc}", 3)
    for icao, station in advice.stations.items():
        console.print(
            f"{icao} x{station.multiplier}: {'; '.join(station.reasons)}", highlight=False
        )
    console.print(f"advice for {target} written to {path}", highlight=False)
