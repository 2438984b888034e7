"""The Kalshi WebSocket protocol (reference kalshi.md §9): URLs, commands, and seq tracking.

Pure helpers the stream (:mod:`adapters.kalshi.ws`) and its tests share: command builders, the
per-subscription ``seq`` tracker, and the error codes that change what the stream does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from adapters.kalshi import settings

WS_PATH = "/trade-api/ws/v2"
PROD_WS_URL = "wss://external-api-ws.kalshi.com" + WS_PATH
DEMO_WS_URL = "wss://external-api-ws.demo.kalshi.co" + WS_PATH
WS_URL_ENV = "KALSHI_WS_URL"

ORDERBOOK_CHANNEL = "orderbook_delta"
# What the recorder subscribes to: books, quotes, prints and market state changes.
RECORDED_CHANNELS = (ORDERBOOK_CHANNEL, "ticker", "trade", "market_lifecycle_v2")
BOOK_TYPES = frozenset({"orderbook_snapshot", "orderbook_delta"})

# Error codes: 9 = authentication required (nothing works until the keys are fixed); 25 =
# the server's buffer for this subscription overflowed (the subscription is dead: resubscribe).
AUTH_ERROR_CODE = 9
BUFFER_OVERFLOW_CODE = 25

# Reconnect delays in seconds: the last one repeats.
DEFAULT_BACKOFF_S = (1.0, 2.0, 5.0, 15.0, 30.0)

JsonObject = dict[str, Any]


def ws_url(rest_base_url: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The WebSocket URL: ``KALSHI_WS_URL`` if set, else the host matching the REST base.

    Args:
        rest_base_url: the REST base (default: ``settings.base_url()``).
        environ: the environment (default: ``os.environ``).

    Returns:
        The ``wss://…/trade-api/ws/v2`` URL.
    """
    env = os.environ if environ is None else environ
    if env.get(WS_URL_ENV):
        return env[WS_URL_ENV]
    rest = rest_base_url or settings.base_url()
    if rest == settings.PROD_BASE_URL:
        return PROD_WS_URL
    if rest == settings.DEMO_BASE_URL:
        return DEMO_WS_URL
    # another REST host (api.elections.kalshi.com...): the same host serves the socket
    parts = urlsplit(rest)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, WS_PATH, "", ""))


def command(command_id: int, cmd: str, params: JsonObject) -> str:
    """One client command as JSON text (``{"id", "cmd", "params"}``)."""
    return json.dumps({"id": command_id, "cmd": cmd, "params": params}, separators=(",", ":"))


def subscribe(command_id: int, channel: str, market_tickers: Iterable[str]) -> str:
    """``subscribe`` to one channel for the given markets."""
    params = {"channels": [channel], "market_tickers": sorted(market_tickers)}
    return command(command_id, "subscribe", params)


def unsubscribe(command_id: int, sid: int) -> str:
    """``unsubscribe`` one subscription."""
    return command(command_id, "unsubscribe", {"sids": [sid]})


def add_markets(command_id: int, sid: int, market_tickers: Iterable[str]) -> str:
    """``update_subscription`` ``add_markets`` for one subscription."""
    params = {"sids": [sid], "market_tickers": sorted(market_tickers), "action": "add_markets"}
    return command(command_id, "update_subscription", params)


@dataclass
class Subscription:
    """One live subscription: its channel, markets and the last ``seq`` made durable."""

    sid: int
    channel: str
    market_tickers: set[str] = field(default_factory=set)
    last_seq: int | None = None


@dataclass(frozen=True)
class SeqGap:
    """A break in a subscription's ``seq``: ``received`` arrived where ``expected`` was due."""

    sid: int
    expected: int
    received: int


def seq_gap(sid: int, last_seq: int | None, seq: int) -> SeqGap | None:
    """The gap ``seq`` would open on subscription ``sid`` after ``last_seq``, or None.

    The first numbered message of a subscription starts its sequence; after that each must be
    ``last + 1``. A repeated or older seq is a gap too: the book can no longer be trusted.
    """
    if last_seq is None or seq == last_seq + 1:
        return None
    return SeqGap(sid, last_seq + 1, seq)


def error_code(message: JsonObject) -> int | None:
    """The ``code`` of an ``error`` message (``{"type": "error", "msg": {"code": 25}}``)."""
    body = message.get("msg")
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def message_sid(message: JsonObject) -> int | None:
    """The subscription id of a message (top level, or inside ``msg`` for acks and errors)."""
    sid = message.get("sid")
    if sid is None and isinstance(message.get("msg"), dict):
        sid = message["msg"].get("sid")
    return sid if isinstance(sid, int) and not isinstance(sid, bool) else None


def message_seq(message: JsonObject) -> int | None:
    """The ``seq`` of a message, when it carries one."""
    seq = message.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


__all__ = [
    "AUTH_ERROR_CODE",
    "BOOK_TYPES",
    "BUFFER_OVERFLOW_CODE",
    "DEFAULT_BACKOFF_S",
    "ORDERBOOK_CHANNEL",
    "RECORDED_CHANNELS",
    "WS_PATH",
    "SeqGap",
    "Subscription",
    "add_markets",
    "command",
    "error_code",
    "message_seq",
    "message_sid",
    "seq_gap",
    "subscribe",
    "unsubscribe",
    "ws_url",
]
