"""Record the Kalshi WebSocket into daily files: the sink, the market lister and one run."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.kalshi.client import KalshiClient
from adapters.kalshi.signing import KalshiSigner
from adapters.kalshi.ws import BookStream
from adapters.kalshi.ws_types import StreamSettings, StreamStats, utc_now
from domain.layout import warehouse_path
from domain.stations import Station
from pipelines.kalshi_ws.files import DayFiles, envelope
from pipelines.kalshi_ws.markets import open_markets, temperature_series

log = logging.getLogger(__name__)

RECORDINGS_DIR = ("recordings", "kalshi_ws")


def default_out_dir() -> Path:
    """``warehouse/recordings/kalshi_ws/`` beside the warehouse file."""
    return warehouse_path().parent.joinpath(*RECORDINGS_DIR)


class FileSink:
    """The stream's sink: one envelope line per message or marker, durable at ``sync``."""

    def __init__(self, files: DayFiles) -> None:
        """Write through ``files``."""
        self.files = files

    def message(self, received_at: datetime, connection_id: str, raw: str) -> None:
        """Append a server message exactly as received."""
        self.files.write(received_at, envelope(received_at, connection_id, raw=raw))

    def marker(self, received_at: datetime, connection_id: str, event: dict[str, Any]) -> None:
        """Append one of the recorder's own events."""
        self.files.write(received_at, envelope(received_at, connection_id, recorder=event))

    def sync(self) -> None:
        """Make every line so far durable."""
        self.files.sync()


@dataclass(frozen=True)
class RecordResult:
    """What a recording run wrote."""

    stats: StreamStats
    lines: int
    syncs: int
    seconds: float


def rest_lister(
    client: KalshiClient, stations: Sequence[Station]
) -> Callable[[], Awaitable[Collection[str]]]:
    """A market lister over REST (run in a thread: the client is synchronous)."""
    series = temperature_series(stations)

    async def _list() -> Collection[str]:
        return await asyncio.to_thread(open_markets, client, series)

    return _list


def record(
    out_dir: Path,
    settings: StreamSettings,
    signer: KalshiSigner,
    list_markets: Callable[[], Awaitable[Collection[str]]],
    *,
    max_minutes: float | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Callable[[], datetime] = utc_now,
) -> RecordResult:
    """Record until ``max_minutes`` have passed (None = until interrupted).

    Args:
        out_dir: where the daily files go.
        settings: the stream's URL, channels, backoff and cadences.
        signer: signs the handshake.
        list_markets: the open markets to follow (re-called every ``settings.relist_s``).
        max_minutes: stop after this long.
        sleep: the backoff sleep (tests pass a fast one).
        clock: the wall clock stamped on each line.

    Returns:
        The run's counts.

    Raises:
        adapters.kalshi.ws.KalshiWsAuthError: Kalshi refused the credentials.
    """
    files = DayFiles(out_dir)
    stream = BookStream(settings, signer, FileSink(files), list_markets, sleep=sleep, clock=clock)
    began = time.monotonic()
    until = None if max_minutes is None else began + max_minutes * 60
    try:
        stats = asyncio.run(stream.run(until))
    finally:
        files.close()
    seconds = time.monotonic() - began
    log.info(
        "recorded %d lines (%d syncs) in %.1f s (%d connections, gaps %s) to %s",
        files.lines,
        files.syncs,
        seconds,
        stats.connections,
        stats.gaps or "none",
        out_dir,
    )
    return RecordResult(stats, files.lines, files.syncs, seconds)
