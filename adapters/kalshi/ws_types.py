"""The WebSocket stream's public types: errors, settings, counts and the sink it writes to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from adapters.kalshi import ws_protocol as proto

JsonObject = dict[str, Any]


class KalshiWsError(RuntimeError):
    """The stream cannot go on (the message says why, never a secret)."""


class KalshiWsAuthError(KalshiWsError):
    """Kalshi refused the credentials (error 9, or a 401/403 handshake)."""


class StreamSink(Protocol):
    """Where the stream puts what it receives; lines are durable once ``sync`` returns."""

    def message(self, received_at: datetime, connection_id: str, raw: str) -> None:
        """One server message exactly as received."""

    def marker(self, received_at: datetime, connection_id: str, event: JsonObject) -> None:
        """One event of the stream itself (connected, gap, heartbeat, stopped)."""

    def sync(self) -> None:
        """Make every line written so far durable."""


@dataclass(frozen=True)
class StreamSettings:
    """How the stream connects and how often it re-lists markets and writes heartbeats."""

    url: str
    channels: tuple[str, ...] = proto.RECORDED_CHANNELS
    backoff_s: tuple[float, ...] = proto.DEFAULT_BACKOFF_S
    relist_s: float = 300.0
    heartbeat_s: float = 60.0
    open_timeout_s: float = 10.0
    batch_max: int = 1000


@dataclass
class StreamStats:
    """What one run did (the recorder logs it and tests assert on it)."""

    connections: int = 0
    messages: int = 0
    gaps: dict[str, int] = field(default_factory=dict)
    delays_s: list[float] = field(default_factory=list)

    def count_gap(self, reason: str) -> None:
        self.gaps[reason] = self.gaps.get(reason, 0) + 1


def utc_now() -> datetime:
    """Now, aware UTC."""
    return datetime.now(UTC)


__all__ = [
    "KalshiWsAuthError",
    "KalshiWsError",
    "StreamSettings",
    "StreamSink",
    "StreamStats",
    "utc_now",
]
