"""A fake Kalshi WebSocket server on 127.0.0.1 that verifies the signed handshake.

It runs in a thread with its own event loop (the recorder under test runs ``asyncio.run`` in
the test's thread). Each accepted connection plays the next script of ``state.scripts``: an
``async def script(conn)`` that reads the client's commands and sends messages in the shapes
of kalshi.md §9. A handshake whose ``KALSHI-ACCESS-*`` headers do not verify gets a 401.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from websockets.asyncio.server import Request, Response, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.fakes.kalshi_server import FakeKalshi

WS_PATH = "/trade-api/ws/v2"

Script = Callable[["FakeConnection"], Awaitable[None]]


@dataclass
class FakeConnection:
    """One accepted connection as a script sees it."""

    ws: ServerConnection
    index: int
    state: FakeKalshiWs

    async def command(self, timeout: float = 5.0) -> dict[str, Any]:
        """The client's next command (recorded in ``state.commands``)."""
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        message: dict[str, Any] = json.loads(raw)
        self.state.commands.append((self.index, message))
        return message

    async def send(self, message: dict[str, Any]) -> None:
        """Send one server message."""
        await self.ws.send(json.dumps(message))

    async def ack_subscribes(self, count: int) -> dict[str, int]:
        """Read ``count`` commands, acking each ``subscribe`` with a fresh sid; unsubscribes
        are answered ``unsubscribed``. Returns channel -> sid of the new subscriptions."""
        sids: dict[str, int] = {}
        while len(sids) < count:
            cmd = await self.command()
            if cmd["cmd"] == "unsubscribe":
                await self.send(
                    {"type": "unsubscribed", "id": cmd["id"], "sid": cmd["params"]["sids"][0]}
                )
                continue
            assert cmd["cmd"] == "subscribe", cmd
            channel = cmd["params"]["channels"][0]
            sid = self.state.new_sid()
            sids[channel] = sid
            self.state.subscribed.append(
                (self.index, channel, tuple(cmd["params"]["market_tickers"]))
            )
            await self.send(
                {"type": "subscribed", "id": cmd["id"], "msg": {"channel": channel, "sid": sid}}
            )
        return sids

    async def ping(self, timeout: float = 5.0) -> bool:
        """Ping the client; True once its pong arrives."""
        waiter = await self.ws.ping()
        await asyncio.wait_for(waiter, timeout)
        return True

    async def wait_closed(self) -> None:
        """Read (and record) the client's commands until it closes the connection."""
        try:
            while True:
                await self.command(timeout=60)
        except ConnectionClosed:
            return


@dataclass
class FakeKalshiWs:
    """Server state: the verifier, the scripts, and what the clients sent."""

    verifier: FakeKalshi
    scripts: list[Script] = field(default_factory=list)
    url: str = ""
    handshakes: list[bool] = field(default_factory=list)
    commands: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    subscribed: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    pongs: int = 0
    errors: list[BaseException] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    _sid: int = 0
    _connections: int = 0

    def new_sid(self) -> int:
        self._sid += 1
        return self._sid

    def check_handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        ok = request.path == WS_PATH and self.verifier.verify("GET", WS_PATH, request.headers)
        self.handshakes.append(ok)
        if not ok:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "bad signature\n")
        return None

    async def handle(self, ws: ServerConnection) -> None:
        index = self._connections
        self._connections += 1
        if index >= len(self.scripts):
            await ws.close()
            return
        conn = FakeConnection(ws, index, self)
        try:
            await self.scripts[index](conn)
        except Exception as exc:  # surfaced to the test through state.errors
            if not isinstance(exc, (asyncio.CancelledError,)):
                self.errors.append(exc)
        finally:
            await ws.close()


@contextmanager
def fake_kalshi_ws(public_key: rsa.RSAPublicKey, key_id: str) -> Iterator[FakeKalshiWs]:
    """Run the fake WebSocket server for the duration of the block (``state.url``)."""
    state = FakeKalshiWs(verifier=FakeKalshi(public_key=public_key, key_id=key_id))
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def _main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with serve(
            state.handle, "127.0.0.1", 0, process_request=state.check_handshake
        ) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            state.url = f"ws://127.0.0.1:{port}{WS_PATH}"
            started.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(_main(),), daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield state
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(timeout=10)
        loop.close()


def snapshot(
    sid: int, seq: int, market: str, yes: list[list[str]] | None, no: list[list[str]] | None
) -> dict[str, Any]:
    """An ``orderbook_snapshot`` (an empty side's key is absent, as Kalshi sends it)."""
    msg: dict[str, Any] = {"market_ticker": market}
    if yes:
        msg["yes_dollars_fp"] = yes
    if no:
        msg["no_dollars_fp"] = no
    return {"type": "orderbook_snapshot", "sid": sid, "seq": seq, "msg": msg}


def delta(
    sid: int, seq: int, market: str, price: str, change: str, side: str, ts_ms: int
) -> dict[str, Any]:
    """An ``orderbook_delta``."""
    return {
        "type": "orderbook_delta",
        "sid": sid,
        "seq": seq,
        "msg": {
            "market_ticker": market,
            "price_dollars": price,
            "delta_fp": change,
            "side": side,
            "ts_ms": ts_ms,
        },
    }
