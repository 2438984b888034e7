"""The recorded story the recorder tests share: what the fake server plays on each connection.

Connection 0: four subscriptions; snapshots of A and B; a delta; a ticker, a trade and a
lifecycle message; a ping; then a delta with seq 5 where 4 was due (gap -> resubscribe and a
fresh snapshot), an error 25 (resubscribe again), then the server drops the connection.
Connections 1 and 2 close at once (backoff grows: 1 s after the working connection, 2 s, 5 s).
Connection 3: subscriptions and snapshots again, a delta, then a third market appears in the
listing (``update_subscription add_markets``) and the connection stays up until the deadline.
"""

from __future__ import annotations

import asyncio

from tests.fakes.kalshi_ws_server import FakeConnection, FakeKalshiWs, delta, snapshot

MARKET_A = "KXHIGHNY-26DEC01-B40.5"
MARKET_B = "KXHIGHNY-26DEC01-T45"
MARKET_C = "KXLOWTNYC-26DEC02-B30.5"
TS_MS = 1796126400000  # 2026-12-01 12:00 UTC


async def _first(conn: FakeConnection) -> None:
    sids = await conn.ack_subscribes(4)
    book = sids["orderbook_delta"]
    await conn.send(
        snapshot(
            book, 1, MARKET_A, [["0.2100", "50.00"], ["0.2000", "10.00"]], [["0.7500", "10.00"]]
        )
    )
    await conn.send(snapshot(book, 2, MARKET_B, [["0.0500", "100.00"]], None))
    await conn.send(delta(book, 3, MARKET_A, "0.2100", "-5.00", "yes", TS_MS))
    await conn.send(
        {
            "type": "ticker",
            "sid": sids["ticker"],
            "msg": {
                "market_ticker": MARKET_A,
                "price_dollars": "0.2200",
                "yes_bid_dollars": "0.2100",
                "yes_ask_dollars": "0.2500",
                "volume_fp": "1200.00",
                "open_interest_fp": "800.00",
                "dollar_volume": 26400,
                "dollar_open_interest": 17600,
                "ts": TS_MS // 1000,
            },
        }
    )
    await conn.send(
        {
            "type": "trade",
            "sid": sids["trade"],
            "msg": {
                "trade_id": "t-1",
                "market_ticker": MARKET_A,
                "yes_price_dollars": "0.2500",
                "no_price_dollars": "0.7500",
                "count_fp": "3.00",
                "taker_side": "yes",
                "ts": TS_MS // 1000,
            },
        }
    )
    await conn.send(
        {
            "type": "market_lifecycle_v2",
            "sid": sids["market_lifecycle_v2"],
            "msg": {"market_ticker": MARKET_B, "event_type": "activated", "open_ts": TS_MS // 1000},
        }
    )
    await conn.ping()
    conn.state.pongs += 1
    await conn.send(delta(book, 5, MARKET_A, "0.2000", "4.00", "yes", TS_MS + 1000))  # seq gap
    book = (await conn.ack_subscribes(1))["orderbook_delta"]
    await conn.send(snapshot(book, 1, MARKET_A, [["0.2200", "40.00"]], [["0.7400", "20.00"]]))
    await conn.send(snapshot(book, 2, MARKET_B, [["0.0500", "100.00"]], [["0.9000", "7.00"]]))
    await conn.send({"type": "error", "sid": book, "msg": {"code": 25, "msg": "buffer overflow"}})
    book = (await conn.ack_subscribes(1))["orderbook_delta"]
    await conn.send(snapshot(book, 1, MARKET_A, [["0.2300", "30.00"]], [["0.7400", "20.00"]]))
    await conn.send(snapshot(book, 2, MARKET_B, None, None))
    # the server drops the connection here (the script ends)


async def _refuse(conn: FakeConnection) -> None:
    return


async def _last(conn: FakeConnection) -> None:
    sids = await conn.ack_subscribes(4)
    book = sids["orderbook_delta"]
    await conn.send(snapshot(book, 1, MARKET_A, [["0.2400", "30.00"]], [["0.7300", "25.00"]]))
    await conn.send(snapshot(book, 2, MARKET_B, [["0.0600", "10.00"]], [["0.9000", "7.00"]]))
    await conn.send(delta(book, 3, MARKET_B, "0.9000", "5.00", "no", TS_MS + 2000))
    conn.state.flags.add("list_c")  # the next listing names market C
    while True:  # until the re-listing adds market C to every subscription
        cmd = await conn.command(timeout=10)
        if cmd["cmd"] == "update_subscription" and cmd["params"]["sids"] == [book]:
            break
    await conn.send(snapshot(book, 4, MARKET_C, [["0.3000", "12.00"]], [["0.6500", "8.00"]]))
    await conn.wait_closed()


def install(state: FakeKalshiWs) -> None:
    """Queue the story's connection scripts on the server."""
    state.scripts[:] = [_first, _refuse, _refuse, _last]


class Lister:
    """The market listing: A and B, and C once the last connection has its snapshots."""

    def __init__(self, state: FakeKalshiWs) -> None:
        self.state = state
        self.calls = 0

    async def __call__(self) -> set[str]:
        self.calls += 1
        await asyncio.sleep(0)
        return {MARKET_A, MARKET_B} | ({MARKET_C} if "list_c" in self.state.flags else set())
