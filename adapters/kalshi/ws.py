"""A Kalshi WebSocket stream that hands every message to a durable sink (kalshi.md §9).

The handshake is signed like REST (message = ts + ``GET`` + ``/trade-api/ws/v2``). The stream
subscribes each channel for the markets a lister names, re-lists them every few minutes and adds
new ones (``update_subscription add_markets``), tracks ``seq`` per subscription and resubscribes
on a gap, treats error 25 as the end of that subscription (resubscribe) and error 9 as an auth
failure (:class:`KalshiWsAuthError`), and reconnects with backoff (1, 2, 5, 15, 30 s). Server
pings are answered by the ``websockets`` library (pong frames).

Durability order (group commit): the messages already received are written as one batch, the
sink syncs them, and only then does the stream advance each subscription's ``seq`` or send a
command (resubscribe, add markets); so a crash never leaves a cursor ahead of the file. Gap
windows are written as markers: a book is unknown from a marker until the market's next
snapshot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from adapters.kalshi import ws_protocol as proto
from adapters.kalshi.signing import KalshiSigner
from adapters.kalshi.ws_types import (
    KalshiWsAuthError,
    StreamSettings,
    StreamSink,
    StreamStats,
    utc_now,
)
from domain.bounds import check_json_depth

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]
MarketLister = Callable[[], Awaitable[Collection[str]]]


def _body(message: JsonObject) -> JsonObject:
    """A message's ``msg`` object ({} when absent or not an object)."""
    body = message.get("msg")
    return body if isinstance(body, dict) else {}


class _Session:
    """One connection: its subscriptions, pending commands and the markets it follows."""

    def __init__(self, stream: BookStream, ws: ClientConnection) -> None:
        self.stream = stream
        self.ws = ws
        self.connection_id = uuid.uuid4().hex
        self.subs: dict[int, proto.Subscription] = {}
        self.pending: dict[int, tuple[str, set[str]]] = {}
        self.markets: set[str] = set()
        self.next_id = 1
        self.acked = False
        # seqs received but not yet durable: they gate gap checks, not the cursor
        self.unsynced: dict[int, int] = {}

    def marker(self, event: JsonObject) -> None:
        self.stream.sink.marker(self.stream.clock(), self.connection_id, event)

    def book_markets(self) -> list[str]:
        """The markets whose books this connection follows (subscribed or pending)."""
        names = {
            m
            for s in self.subs.values()
            if s.channel == proto.ORDERBOOK_CHANNEL
            for m in s.market_tickers
        }
        for channel, markets in self.pending.values():
            if channel == proto.ORDERBOOK_CHANNEL:
                names |= markets
        return sorted(names)

    def gap(self, reason: str, markets: Collection[str], **details: Any) -> None:
        """Mark the books of ``markets`` unknown from now until their next snapshot."""
        self.stream.stats.count_gap(reason)
        log.warning("book gap (%s) on %d markets %s", reason, len(markets), details or "")
        self.marker(
            {
                "event": "gap",
                "reason": reason,
                "channel": proto.ORDERBOOK_CHANNEL,
                "market_tickers": sorted(markets),
                **details,
            }
        )

    def commit(self) -> None:
        """Sync what was written, then advance each subscription's cursor."""
        self.stream.sink.sync()
        for sid, seq in self.unsynced.items():
            if sid in self.subs:
                self.subs[sid].last_seq = seq
        self.unsynced.clear()

    async def send(self, text: str) -> None:
        self.commit()  # never act on a message before it is durable
        await self.ws.send(text)

    async def subscribe(self, channel: str, markets: set[str]) -> None:
        command_id = self.next_id
        self.next_id += 1
        self.pending[command_id] = (channel, set(markets))
        await self.send(proto.subscribe(command_id, channel, markets))

    async def resubscribe(self, sub: proto.Subscription) -> None:
        """Drop a subscription and open it again (a fresh snapshot per market follows)."""
        self.subs.pop(sub.sid, None)
        command_id = self.next_id
        self.next_id += 1
        await self.send(proto.unsubscribe(command_id, sub.sid))
        await self.subscribe(sub.channel, sub.market_tickers or self.markets)

    async def relist(self) -> None:
        """Ask the lister for open markets; subscribe on first use, else add the new ones."""
        try:
            listed = set(await self.stream.list_markets())
        except Exception as exc:  # a failed listing keeps the current markets
            log.warning("listing open markets failed (%s); keeping %d", exc, len(self.markets))
            return
        new = listed - self.markets
        if not new:
            return
        self.markets |= new
        subscribed = {sub.channel: sub for sub in self.subs.values()}
        pending = {channel for channel, _ in self.pending.values()}
        for channel in self.stream.settings.channels:
            if channel in subscribed:
                sub = subscribed[channel]
                sub.market_tickers |= new
                command_id = self.next_id
                self.next_id += 1
                await self.send(proto.add_markets(command_id, sub.sid, new))
            elif channel not in pending:
                await self.subscribe(channel, self.markets)
        log.info("following %d open markets (%d new)", len(self.markets), len(new))

    async def handle(self, raw: str) -> None:
        """Record one message, then act on it (seq, acks, errors)."""
        stream = self.stream
        received_at = stream.clock()
        stream.stats.messages += 1
        try:
            check_json_depth(raw)
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            stream.sink.message(received_at, self.connection_id, raw)  # the loader rejects it
            return
        kind = message.get("type")
        sid = proto.message_sid(message)
        if kind == "subscribed":
            stream.sink.message(received_at, self.connection_id, raw)
            self._acknowledge(message, sid)
            return
        if kind == "error":
            stream.sink.message(received_at, self.connection_id, raw)
            await self._error(message, sid)
            return
        seq = proto.message_seq(message)
        sub = self.subs.get(sid) if sid is not None else None
        if sub is None or seq is None:
            stream.sink.message(received_at, self.connection_id, raw)
            return
        gap = proto.seq_gap(sub.sid, self.unsynced.get(sub.sid, sub.last_seq), seq)
        if gap is not None:
            if sub.channel == proto.ORDERBOOK_CHANNEL:
                self.gap(
                    "seq_gap",
                    sub.market_tickers,
                    sid=sub.sid,
                    expected_seq=gap.expected,
                    seq=gap.received,
                )
            stream.sink.message(received_at, self.connection_id, raw)
            await self.resubscribe(sub)
            return
        stream.sink.message(received_at, self.connection_id, raw)
        self.unsynced[sub.sid] = seq  # the cursor moves at the next commit

    def _acknowledge(self, message: JsonObject, sid: int | None) -> None:
        body = _body(message)
        command_id = message.get("id")
        known = self.pending.pop(command_id, None) if isinstance(command_id, int) else None
        channel, markets = known or (body.get("channel"), self.markets)
        if sid is None or not isinstance(channel, str):
            return
        self.subs[sid] = proto.Subscription(sid, channel, set(markets))
        self.acked = True

    async def _error(self, message: JsonObject, sid: int | None) -> None:
        code = proto.error_code(message)
        text = str(_body(message).get("msg") or "")[:200]
        if code == proto.AUTH_ERROR_CODE:
            raise KalshiWsAuthError(
                f"Kalshi WebSocket refused the credentials (error 9: {text or 'auth required'});"
                " check KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH"
            )
        if code != proto.BUFFER_OVERFLOW_CODE:
            log.warning("Kalshi WebSocket error %s: %s", code, text)
            return
        # terminal for the subscription: the named one, else every book subscription
        hit = (
            [self.subs[sid]]
            if sid in self.subs
            else [s for s in self.subs.values() if s.channel == proto.ORDERBOOK_CHANNEL]
        )
        for sub in hit:
            if sub.channel == proto.ORDERBOOK_CHANNEL:
                self.gap("error_25", sub.market_tickers, sid=sub.sid)
            await self.resubscribe(sub)


class BookStream:
    """Runs connections until a deadline, reconnecting with backoff; see the module docstring."""

    def __init__(
        self,
        settings: StreamSettings,
        signer: KalshiSigner,
        sink: StreamSink,
        list_markets: MarketLister,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wire a stream.

        Args:
            settings: URL, channels, backoff and cadences.
            signer: signs the handshake (required: Kalshi signs every socket).
            sink: makes each message and marker durable.
            list_markets: returns the tickers of the open markets to follow.
            sleep: the backoff sleep (tests pass a fast one).
            clock: the wall clock stamped on every line.
            monotonic: the clock of deadlines and cadences.
        """
        self.settings = settings
        self.signer = signer
        self.sink = sink
        self.list_markets = list_markets
        self.sleep = sleep
        self.clock = clock
        self.monotonic = monotonic
        self.stats = StreamStats()

    async def run(self, until: float | None = None) -> StreamStats:
        """Stream until ``until`` (a ``monotonic`` instant; None = forever).

        Returns:
            What the run did.

        Raises:
            KalshiWsAuthError: Kalshi refused the credentials (not retried).
        """
        attempt = 0
        while until is None or self.monotonic() < until:
            session: _Session | None = None
            try:
                headers = self.signer.headers("GET", proto.WS_PATH)
                async with connect(
                    self.settings.url,
                    additional_headers=headers,
                    open_timeout=self.settings.open_timeout_s,
                ) as ws:
                    session = _Session(self, ws)
                    self.stats.connections += 1
                    await self._serve(session, until)
                    return self.stats
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (401, 403):
                    raise KalshiWsAuthError(
                        f"Kalshi WebSocket handshake refused ({status}); check "
                        "KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH"
                    ) from None
                log.warning("Kalshi WebSocket handshake failed (%d)", status)
            except (ConnectionClosed, WebSocketException, OSError, TimeoutError) as exc:
                log.warning("Kalshi WebSocket connection lost: %s", type(exc).__name__)
            if session is not None:
                session.gap("disconnected", session.book_markets())
                self.sink.sync()
                if session.acked:
                    attempt = 0  # it worked for a while: start the schedule again
            delays = self.settings.backoff_s
            delay = delays[min(attempt, len(delays) - 1)]
            attempt += 1
            self.stats.delays_s.append(delay)
            if until is not None:  # never sleep past the deadline
                delay = max(0.0, min(delay, until - self.monotonic()))
            await self.sleep(delay)
        return self.stats

    async def _serve(self, session: _Session, until: float | None) -> None:
        """Subscribe, then receive until the deadline (heartbeats and re-listing between)."""
        session.marker({"event": "connected", "url": self.settings.url})
        await session.relist()
        inbox: asyncio.Queue[str | bytes | ConnectionClosed] = asyncio.Queue()
        reader = asyncio.create_task(_read(session.ws, inbox))
        try:
            await self._receive(session, inbox, until)
        finally:
            reader.cancel()

    async def _receive(
        self,
        session: _Session,
        inbox: asyncio.Queue[str | bytes | ConnectionClosed],
        until: float | None,
    ) -> None:
        now = self.monotonic()
        next_heartbeat = now + self.settings.heartbeat_s
        next_relist = now + self.settings.relist_s
        while True:
            now = self.monotonic()
            if until is not None and now >= until:
                session.gap("stopped", session.book_markets())
                session.commit()
                await session.ws.close()
                return
            if now >= next_heartbeat:
                session.marker({"event": "heartbeat", "messages": self.stats.messages})
                next_heartbeat = now + self.settings.heartbeat_s
            if now >= next_relist:
                await session.relist()
                next_relist = now + self.settings.relist_s
            wake = min(next_heartbeat, next_relist, until if until is not None else next_relist)
            try:
                first = await asyncio.wait_for(inbox.get(), timeout=max(0.0, wake - now))
            except TimeoutError:
                session.commit()
                continue
            # group commit: everything already received goes to the file in one sync
            batch = [first]
            while len(batch) < self.settings.batch_max and not inbox.empty():
                batch.append(inbox.get_nowait())
            for item in batch:
                if isinstance(item, ConnectionClosed):
                    session.commit()
                    raise item
                text = item if isinstance(item, str) else item.decode("utf-8", errors="replace")
                await session.handle(text)
            session.commit()


async def _read(ws: ClientConnection, inbox: asyncio.Queue[str | bytes | ConnectionClosed]) -> None:
    """Move every received message to ``inbox``; the closing error goes last."""
    try:
        while True:
            await inbox.put(await ws.recv())
    except ConnectionClosed as exc:
        await inbox.put(exc)


__all__ = ["BookStream", "MarketLister"]
