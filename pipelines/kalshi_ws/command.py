"""``python -m pipelines record``: the WebSocket book recorder's command (registered in
:mod:`pipelines.cli`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from adapters.circuit import CircuitTransport
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.credentials import resolve_signer
from adapters.kalshi.signing import KalshiConfigError
from adapters.kalshi.ws_protocol import ws_url
from adapters.kalshi.ws_types import KalshiWsAuthError, StreamSettings
from domain.stations import UnknownStationError, load_stations, station_by_icao
from pipelines.kalshi_ws.recorder import default_out_dir, record, rest_lister

log = logging.getLogger(__name__)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def record_command(
    out: Annotated[
        Path | None,
        typer.Option(help="folder of the daily files (default: warehouse/recordings/kalshi_ws/)"),
    ] = None,
    max_minutes: Annotated[
        float | None, typer.Option(min=0, help="stop after this many minutes (default: never)")
    ] = None,
    stations: Annotated[
        list[str] | None,
        typer.Option(help="ICAO ids, repeated or comma-separated (default: every registry row)"),
    ] = None,
    relist_minutes: Annotated[
        float, typer.Option(min=0.1, help="minutes between listings of open markets")
    ] = 5.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Record the order books, quotes, prints and lifecycle of every open temperature market.

    Append-only gzip JSON lines, one file per UTC day, each line synced before the next
    message; load them with `python -m pipelines run --source files --path DIR`.

    Examples:
      python -m pipelines record
      python -m pipelines record --stations KNYC --max-minutes 60 --out /tmp/books
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        force=True,
    )
    codes = [code.strip() for item in stations or [] for code in item.split(",") if code.strip()]
    try:
        chosen = [station_by_icao(code) for code in codes] if codes else list(load_stations())
    except UnknownStationError as exc:
        raise typer.BadParameter(str(exc.args[0])) from exc
    try:
        signer = resolve_signer()
    except KalshiConfigError as exc:
        raise _fail(f"record: {exc}") from None
    if signer is None:
        raise _fail(
            "record: the WebSocket needs Kalshi credentials (KALSHI_API_KEY_ID and "
            "KALSHI_PRIVATE_KEY_PATH, or .dlt/secrets.toml)"
        )
    settings = StreamSettings(url=ws_url(), relist_s=relist_minutes * 60)
    with KalshiClient(signer=signer, transport=CircuitTransport()) as client:
        try:
            record(
                out or default_out_dir(),
                settings,
                signer,
                rest_lister(client, chosen),
                max_minutes=max_minutes,
            )
        except KalshiWsAuthError as exc:
            raise _fail(f"record: {exc}") from None
        except KeyboardInterrupt:
            log.info("record: stopped")
