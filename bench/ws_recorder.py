"""How fast the book recorder keeps up: messages/s recorded (each line fsynced) and parsed.

``python -m bench.ws_recorder [--messages N]``: a local WebSocket server (no TLS) acks the four
subscriptions, sends one snapshot per market and then N book deltas as fast as it can; the
recorder (:mod:`pipelines.kalshi_ws.recorder`) writes them to a scratch folder under
``bench/out/ws/``, and the loader's parser (:func:`pipelines.kalshi.recordings.parse_recording`)
reads them back. Prints a table; nothing is written outside ``bench/out/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from rich.console import Console
from rich.table import Table
from websockets.asyncio.server import ServerConnection, serve

from adapters.kalshi.signing import KalshiSigner
from adapters.kalshi.ws_types import StreamSettings
from pipelines.kalshi.files import file_context
from pipelines.kalshi.recordings import parse_recording
from pipelines.kalshi_ws.files import read_lines
from pipelines.kalshi_ws.recorder import record

OUT = Path(__file__).resolve().parent / "out" / "ws"


class _FloodDone(Exception):
    """The server has sent everything and hung up."""


MARKETS = [f"KXHIGHNY-26DEC01-B{40 + 2 * i}.5" for i in range(6)]


async def _flood(ws: ServerConnection, messages: int, done: threading.Event) -> None:
    book_sid = 0
    for sid in range(1, 5):
        cmd = json.loads(await ws.recv())
        channel = cmd["params"]["channels"][0]
        book_sid = sid if channel == "orderbook_delta" else book_sid
        await ws.send(
            json.dumps(
                {"type": "subscribed", "id": cmd["id"], "msg": {"channel": channel, "sid": sid}}
            )
        )
    seq = 0
    for market in MARKETS:
        seq += 1
        msg = {
            "market_ticker": market,
            "yes_dollars_fp": [["0.2100", "50.00"]],
            "no_dollars_fp": [["0.7500", "10.00"]],
        }
        await ws.send(
            json.dumps({"type": "orderbook_snapshot", "sid": book_sid, "seq": seq, "msg": msg})
        )
    for i in range(messages):
        seq += 1
        delta: dict[str, object] = {
            "market_ticker": MARKETS[i % len(MARKETS)],
            "price_dollars": "0.2100",
            "delta_fp": "1.00" if i % 2 else "-1.00",
            "side": "yes",
            "ts_ms": 1796126400000 + i,
        }
        await ws.send(
            json.dumps({"type": "orderbook_delta", "sid": book_sid, "seq": seq, "msg": delta})
        )
    done.set()
    await ws.close()  # the recorder reconnects; its backoff sleep ends the run


def _serve(messages: int, done: threading.Event, ready: list[str]) -> None:
    async def main() -> None:
        async with serve(lambda ws: _flood(ws, messages, done), "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            ready.append(f"ws://127.0.0.1:{port}/trade-api/ws/v2")
            while not done.is_set():
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)

    asyncio.run(main())


def run(messages: int) -> dict[str, float]:
    """Record ``messages`` deltas from a flooding server, then parse the files back."""
    shutil.rmtree(OUT, ignore_errors=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    done = threading.Event()
    ready: list[str] = []
    thread = threading.Thread(target=_serve, args=(messages, done, ready), daemon=True)
    thread.start()
    while not ready:
        time.sleep(0.01)

    async def lister() -> set[str]:
        return set(MARKETS)

    async def stop(delay: float) -> None:
        raise _FloodDone

    began = time.perf_counter()
    settings = StreamSettings(url=ready[0], heartbeat_s=3600, relist_s=3600)
    try:
        record(OUT, settings, KalshiSigner.from_pem("bench", pem), lister, sleep=stop)
    except _FloodDone:
        pass
    record_s = time.perf_counter() - began
    thread.join(timeout=10)
    began = time.perf_counter()
    ctx = file_context("bench")
    rows = 0
    for path in sorted(OUT.glob("*.jsonl.gz")):
        rows += sum(len(table) for table in parse_recording(path, ctx).values())
    parse_s = time.perf_counter() - began
    lines = sum(1 for path in OUT.glob("*.jsonl.gz") for _ in read_lines(path))
    return {
        "lines": float(lines),
        "record_s": record_s,
        "parse_s": parse_s,
        "rows": float(rows),
        "rejects": float(len(ctx.rejects)),
    }


def main() -> None:
    """Run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    figures = run(args.messages)
    table = Table(title=f"Book recorder: {args.messages:,} deltas from a local server")
    for column in ("step", "lines", "seconds", "lines/s"):
        table.add_column(column, justify="right" if column != "step" else "left")
    for step, seconds in (
        ("record (fsync per batch)", figures["record_s"]),
        ("parse (loader)", figures["parse_s"]),
    ):
        table.add_row(
            step, f"{figures['lines']:,.0f}", f"{seconds:.2f}", f"{figures['lines'] / seconds:,.0f}"
        )
    Console().print(table)
    Console().print(f"rows parsed: {figures['rows']:,.0f}; rejects: {figures['rejects']:.0f}")


if __name__ == "__main__":
    main()
